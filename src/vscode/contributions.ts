/** The ids package.json contributes, in one place so code and manifest stay in step. */

export const VIEW_ID = 'remoteSwarm.instances';

export const COMMANDS = {
  createInstance: 'remoteSwarm.createInstance',
  startInstance: 'remoteSwarm.startInstance',
  stopInstance: 'remoteSwarm.stopInstance',
  restartInstance: 'remoteSwarm.restartInstance',
  deleteInstance: 'remoteSwarm.deleteInstance',
  openInBrowser: 'remoteSwarm.openInBrowser',
  copyUrl: 'remoteSwarm.copyUrl',
  copyPassword: 'remoteSwarm.copyPassword',
  showLogs: 'remoteSwarm.showLogs',
  showOutput: 'remoteSwarm.showOutput',
  refresh: 'remoteSwarm.refresh',
} as const;

/** Context key driving the view's welcome content: see ViewState. */
export const STATE_CONTEXT_KEY = 'remoteSwarm.state';
