import type { RequestHandler } from 'express';
import { HttpError } from './http-error';

/** True when the request announces a body (probes and page views have none). */
const hasBody = (headers: Record<string, string | string[] | undefined>): boolean =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * Caps the requests whose body is still arriving. A request is counted from its headers
 * until its body has been read, its response is done, or its connection closed; one more is refused at once with
 * 503, `Retry-After` and `Connection: close`, so slow uploads cannot hold every socket.
 * Requests without a body, such as `/healthz` and `/readyz`, are never counted or refused.
 */
export function requestBodyLimit(max: number): RequestHandler {
  let receiving = 0;
  return (req, res, next) => {
    if (!hasBody(req.headers) || req.readableEnded) return next();
    if (receiving >= max) {
      // Close once the answer is out: the rest of the body is not worth reading. The pause
      // lets the client read the 503 before the socket goes (closing with unread bytes resets it).
      res.once('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref());
      return next(
        new HttpError(503, 'Service busy', `The app is receiving ${max} other requests already. Please try again in a moment.`, undefined, {
          'Retry-After': '5',
          Connection: 'close',
        }),
      );
    }
    receiving++;
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      receiving--;
    };
    req.once('end', release).once('close', release).once('error', release);
    // An answer sent before the body was read (a refused origin, sign-in, the rate limit)
    // detaches the request from its socket: none of the events above would ever come.
    res.once('close', release);
    next();
  };
}
