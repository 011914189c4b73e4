/** Where the Fly client reports what it does; the extension passes its output channel. Never given tokens or request bodies. */
export interface FlyLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: FlyLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
