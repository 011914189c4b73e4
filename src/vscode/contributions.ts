/** The ids package.json contributes, in one place so code and manifest stay in step. */

export const VIEW_ID = 'remoteSwarm.instances';

export const COMMANDS = {
  createInstance: 'remoteSwarm.createInstance',
  startInstance: 'remoteSwarm.startInstance',
  stopInstance: 'remoteSwarm.stopInstance',
  restartInstance: 'remoteSwarm.restartInstance',
  deleteInstance: 'remoteSwarm.deleteInstance',
  migrateInstance: 'remoteSwarm.migrateInstance',
  openInBrowser: 'remoteSwarm.openInBrowser',
  copyUrl: 'remoteSwarm.copyUrl',
  copyPassword: 'remoteSwarm.copyPassword',
  resetPassword: 'remoteSwarm.resetPassword',
  changeResources: 'remoteSwarm.changeResources',
  showLogs: 'remoteSwarm.showLogs',
  showOutput: 'remoteSwarm.showOutput',
  refresh: 'remoteSwarm.refresh',
  openInVsCodeTab: 'remoteSwarm.openInVsCodeTab',
  attachVsCode: 'remoteSwarm.attachVsCode',
  connectRemoteSsh: 'remoteSwarm.connectRemoteSsh',
  openTerminal: 'remoteSwarm.openTerminal',
  connectToInstance: 'remoteSwarm.connectToInstance',
  addSshHost: 'remoteSwarm.addSshHost',
  createGroup: 'remoteSwarm.createGroup',
  scaleGroup: 'remoteSwarm.scaleGroup',
  startGroup: 'remoteSwarm.startGroup',
  stopGroup: 'remoteSwarm.stopGroup',
  restartGroup: 'remoteSwarm.restartGroup',
  deleteGroup: 'remoteSwarm.deleteGroup',
  runInGroup: 'remoteSwarm.runInGroup',
  openGroupTerminals: 'remoteSwarm.openGroupTerminals',
  drainNode: 'remoteSwarm.drainNode',
  activateNode: 'remoteSwarm.activateNode',
  setFlyApiToken: 'remoteSwarm.setFlyApiToken',
  backUpWorkspace: 'remoteSwarm.backUpWorkspace',
  restoreWorkspace: 'remoteSwarm.restoreWorkspace',
  setBackupCredentials: 'remoteSwarm.setBackupCredentials',
  showHealth: 'remoteSwarm.showHealth',
  showCost: 'remoteSwarm.showCost',
} as const;

/** Commands the code runs but package.json does not list (no palette entry). */
export const INTERNAL_COMMANDS = {
  /** Argument: the SecretStore key of a secret some provider declares. */
  setProviderSecret: 'remoteSwarm.setProviderSecret',
} as const;

/** Webview panel types; package.json activates on each (onWebviewPanel:…) so a panel open at shutdown comes back. */
export const PANELS = {
  health: 'remoteSwarm.health',
  cost: 'remoteSwarm.cost',
} as const;

/** Context key driving the view's welcome content: see ViewState. */
export const STATE_CONTEXT_KEY = 'remoteSwarm.state';
