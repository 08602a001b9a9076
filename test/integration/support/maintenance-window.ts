import assert from 'node:assert/strict';
import type { ControllerProcess } from './controller.ts';

/** A daily UTC window that opens at the next whole minute at least 10 s away, and lasts ten minutes. */
export function windowOpeningSoon(): { readonly opens: Date; readonly window: string } {
  const opens = new Date(Math.ceil((Date.now() + 10_000) / 60_000) * 60_000);
  const hhmm = (d: Date): string => d.toISOString().slice(11, 16);
  return { opens, window: `Daily ${hhmm(opens)}-${hhmm(new Date(opens.getTime() + 600_000))} UTC` };
}

/** Waits until `key` (Kind/ns/name) rolled after log line `from`, and checks it rolled no earlier than `opens`. */
export async function rolledOnceOpen(
  controller: ControllerProcess,
  key: string,
  opens: Date,
  from: number,
): Promise<void> {
  const rolled = await controller.waitFor(
    `the roll of ${key} when the window opens`,
    (l) => l.workload === key && l.msg.startsWith('rolled'),
    from,
    120_000,
  );
  assert.ok(
    Date.parse(String(rolled.time)) >= opens.getTime(),
    `rolled at ${String(rolled.time)}, not before ${opens.toISOString()}`,
  );
}
