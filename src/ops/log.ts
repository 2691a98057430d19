import { pino, stdTimeFunctions } from 'pino';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON object a line, naming the replica, so logs of many replicas can be merged (pino). */
export function createLogger(replica: string, level: Level, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const p = pino(
    {
      level,
      base: { replica },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write },
  );
  const emit = (lvl: Level) => (msg: string, fields?: Record<string, unknown>) => (fields ? p[lvl](fields, msg) : p[lvl](msg));
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
