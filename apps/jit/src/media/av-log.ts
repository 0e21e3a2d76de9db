import { AV_LOG_ERROR, AV_LOG_WARNING, Log } from 'node-av';

/** FFmpeg's own log goes to stderr; keep it to errors unless verbose. */
export function configureAvLog(verbose: boolean): void {
  Log.setLevel(verbose ? AV_LOG_WARNING : AV_LOG_ERROR);
}
