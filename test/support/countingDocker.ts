import Docker from 'dockerode';

/** A Dockerode client (on `options`' engine) that counts the HTTP requests it makes. */
export function countingDocker(options?: Docker.DockerOptions): { docker: Docker; calls: () => number; reset: () => void } {
  const docker = new Docker(options);
  let count = 0;
  const modem = docker.modem as unknown as { dial: (...args: unknown[]) => unknown };
  const dial = modem.dial.bind(modem);
  modem.dial = (...args: unknown[]) => {
    count += 1;
    return dial(...args);
  };
  return { docker, calls: () => count, reset: () => (count = 0) };
}
