import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RollNotice } from '../reload/roll-messages.ts';
import type { HaltNotice } from '../reload/wave-halts.ts';
import {
  alertBody,
  alertText,
  haltAlertText,
  structuredAlertBody,
  structuredHaltBody,
  type AlertSink,
} from './alert-message.ts';
import type { HttpPoster } from './http-post.ts';

export interface AlertSenderOptions {
  readonly poster: Pick<HttpPoster, 'post' | 'close'>;
  readonly sink: AlertSink;
  readonly additionalInfo: string | undefined;
  /** The raw sink gets structuredAlertBody's JSON instead of text; other sinks ignore it. */
  readonly structured: boolean;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'countAlert'>;
  /** Alerts waiting beyond this many are dropped (and counted): a dead receiver must not grow memory. */
  readonly capacity?: number;
  /** The clock that dates each alert when its roll is reported. */
  readonly now?: () => Date;
}

type Waiting = { readonly notice: RollNotice; readonly at: Date } | { readonly halt: HaltNotice; readonly at: Date };

const DEFAULT_CAPACITY = 256;

/**
 * Sends an alert for each roll, one at a time, off the reconcile path:
 * `notify` only queues and returns, so a slow or failing receiver never
 * delays a roll. A failed send is logged and counted, not retried: the roll
 * it reports already happened and its Event is on the workload.
 */
export class AlertSender {
  readonly #options: AlertSenderOptions;
  readonly #capacity: number;
  readonly #now: () => Date;
  readonly #waiting: Waiting[] = [];
  #sending: Promise<void> | undefined;

  constructor(options: AlertSenderOptions) {
    this.#options = options;
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.#now = options.now ?? (() => new Date());
  }

  notify(notice: RollNotice): void {
    this.#queue({ notice, at: this.#now() });
  }

  /** A rollout in waves halted: queued like a roll's alert. */
  notifyHalt(halt: HaltNotice): void {
    this.#queue({ halt, at: this.#now() });
  }

  #queue(waiting: Waiting): void {
    if (this.#waiting.length >= this.#capacity) {
      this.#options.metrics.countAlert('dropped');
      this.#options.logger.warn(subjectField(waiting), 'alert dropped: too many alerts waiting for the receiver');
      return;
    }
    this.#waiting.push(waiting);
    this.#sending ??= this.#sendAll().finally(() => {
      this.#sending = undefined;
    });
  }

  /** Resolves once every queued alert was sent or failed, or after `timeoutMs`, whichever is first. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#sending === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#sending, timeout]);
    clearTimeout(timer);
  }

  /** Drains as `drain` does, then lets the receiver's connections go. */
  async close(timeoutMs: number): Promise<void> {
    await this.drain(timeoutMs);
    await this.#options.poster.close();
  }

  async #sendAll(): Promise<void> {
    for (let next = this.#waiting.shift(); next !== undefined; next = this.#waiting.shift()) {
      const { poster, sink, logger, metrics } = this.#options;
      try {
        await poster.post(this.#body(next));
        metrics.countAlert('sent');
      } catch (err) {
        metrics.countAlert('failed');
        logger.error(
          { ...subjectField(next), sink, err: err instanceof Error ? err.message : String(err) },
          'alert not sent',
        );
      }
    }
  }

  #body(waiting: Waiting): { contentType: string; text: string } {
    const { sink, additionalInfo, structured } = this.#options;
    const raw = sink === 'raw' || sink === 'webhook';
    if ('halt' in waiting)
      return raw && structured
        ? structuredHaltBody(waiting.halt, additionalInfo, waiting.at)
        : alertBody(sink, haltAlertText(waiting.halt, additionalInfo));
    return raw && structured
      ? structuredAlertBody(waiting.notice, additionalInfo, waiting.at)
      : alertBody(sink, alertText(waiting.notice, additionalInfo));
  }
}

/** The log field naming what an alert is about: the workload rolled, or the config whose rollout halted. */
function subjectField(waiting: Waiting): { workload: string } | { config: string } {
  const id = ({ kind, namespace, name }: { kind: string; namespace: string; name: string }): string =>
    `${kind}/${namespace}/${name}`;
  return 'halt' in waiting ? { config: id(waiting.halt.config) } : { workload: id(waiting.notice.workload) };
}
