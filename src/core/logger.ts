import { redactUrls } from './redaction';

/** Where the core and the providers report what they do: the extension's output channel, the CLI's stderr. Never given secrets. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** `log` with the credentials of every URL in a message redacted: a host or endpoint a user wrote may carry them. */
export function redactingLogger(log: Logger): Logger {
  return {
    debug: (message) => log.debug(redactUrls(message)),
    info: (message) => log.info(redactUrls(message)),
    warn: (message) => log.warn(redactUrls(message)),
    error: (message) => log.error(redactUrls(message)),
  };
}
