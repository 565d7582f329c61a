import pino, { type DestinationStream, type Logger } from 'pino';

/** Replaces runs of 13-19 digits (with optional spaces or dashes) that could be card numbers. */
export function redactCardNumbers(text: string): string {
  return text.replace(/\b\d(?:[ -]?\d){12,18}\b/g, '[redacted-digits]');
}

/**
 * JSON logger. Cookies, authorization headers and bodies are never logged; URLs have
 * anything that looks like a card number redacted.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'order-app' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.cardNumber'], censor: '[redacted]' },
    },
    destination,
  );
}
