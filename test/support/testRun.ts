/**
 * This test process's id: on every Docker resource and Fly app the tests make (a label, a name), so two runs on one
 * engine each see and sweep only their own. Lower-case letters and digits, so it fits names that are DNS labels.
 */
export const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}`;

/** The Docker label carrying RUN_ID, next to TEST_LABEL (which marks a resource as any test run's). */
export const RUN_LABEL = 'remote-swarm.test.run';
