import { declaredKindId, type DeclaredWorkloadKind } from '../model/declared-kind.ts';
import { KIND_PRESETS, kindPreset } from '../workload/kind-presets.ts';
import { WORKLOAD_KINDS } from '../model/workload-kind.ts';
import { OptionsError } from './options-error.ts';
import { invalid, q, type ValueParser } from './value-parser.ts';

/** One --workload-kind value, parsed: a declared kind, or the preset that extends the built-in Rollouts. */
export interface WorkloadKindValue extends DeclaredWorkloadKind {
  /** argo-rollout-workloadref: Rollouts with spec.workloadRef read their references from the Deployment. */
  readonly workloadRef: boolean;
}

export const WORKLOAD_KIND_FORM = 'GROUP/VERSION/KIND[,resource=PLURAL][,template=PATH][,restart-field=PATH]';

/** Longer values are refused before anything else is read: no real declaration comes near. */
const MAX_DECLARATION = 512;
const MAX_PATH_FIELDS = 16;
const GROUP = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VERSION = /^v[1-9][0-9]{0,8}((alpha|beta)[1-9][0-9]{0,8})?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
const OPTIONS = ['resource', 'template', 'restart-field'] as const;
type OptionName = (typeof OPTIONS)[number];

const PRESET_NAMES = KIND_PRESETS.map((p) => p.name).join(', ');

/**
 * Parses one declaration: a preset's name, or
 * `GROUP/VERSION/KIND[,resource=PLURAL][,template=PATH][,restart-field=PATH]`.
 * Linear in the length of `raw`, which is bounded. Each message names the
 * declaration and what is allowed.
 */
export const workloadKindValue: ValueParser<WorkloadKindValue[]> = (raw) => {
  const text = raw.trim();
  if (text === '') return [];
  if (text.length > MAX_DECLARATION)
    return invalid(`the declaration starting ${q(text.slice(0, 40))} is longer than ${MAX_DECLARATION} characters`);
  const refuse = (problem: string): never =>
    invalid(`${q(text)} ${problem} (allowed: a preset, ${PRESET_NAMES}; or ${WORKLOAD_KIND_FORM})`);
  if (!text.includes('/')) {
    const preset = kindPreset(text);
    if (preset === undefined)
      return refuse(
        text.includes(',') ? 'is neither a preset nor GROUP/VERSION/KIND: presets take no options' : 'is not a preset',
      );
    return [{ ...preset.kind, declaration: text, workloadRef: preset.workloadRef === true }];
  }
  const [gvk = '', ...options] = text.split(',');
  const parts = gvk.split('/');
  if (parts.length !== 3) return refuse(`starts with ${q(gvk)}, not GROUP/VERSION/KIND`);
  const [group = '', version = '', kind = ''] = parts;
  if (!GROUP.test(group))
    return refuse(
      `has group ${q(group)}, not a DNS subdomain (lower-case letters, digits, '-' and '.'; the core group holds no workloads)`,
    );
  if (!VERSION.test(version))
    return refuse(`has version ${q(version)}, not a Kubernetes API version such as v1, v1beta1 or v1alpha2`);
  if (!KIND.test(kind))
    return refuse(`has kind ${q(kind)}, not a kind name (a capital letter, then letters and digits, at most 63)`);
  const builtIn = WORKLOAD_KINDS.find((k) => k.apiVersion.split('/')[0] === group && k.kind === kind);
  if (builtIn !== undefined) {
    return refuse(
      `declares ${group}/${kind}, which is built in${builtIn.kind === 'Rollout' ? '; for Rollouts with spec.workloadRef, use the preset argo-rollout-workloadref' : ''}`,
    );
  }
  const given = new Map<OptionName, string>();
  for (const option of options) {
    const equals = option.indexOf('=');
    const name = (equals < 0 ? option : option.slice(0, equals)).trim();
    const value = equals < 0 ? '' : option.slice(equals + 1).trim();
    const known = OPTIONS.find((o) => o === name);
    if (known === undefined) return refuse(`has option ${q(name)}, not one of ${OPTIONS.join(', ')}`);
    if (given.has(known)) return refuse(`gives ${known} twice`);
    if (value === '') return refuse(`gives ${known} no value`);
    given.set(known, value);
  }
  const resource = given.get('resource');
  if (resource !== undefined && !RESOURCE.test(resource))
    return refuse(
      `has resource ${q(resource)}, not a plural resource name (lower-case letters, digits and '-', at most 63)`,
    );
  const templatePath = fieldPath(given.get('template') ?? 'spec.template', 'template', refuse);
  const restart = given.get('restart-field');
  return [
    {
      declaration: text,
      group,
      version,
      kind,
      resource,
      templatePath,
      restartField: restart === undefined ? undefined : fieldPath(restart, 'restart-field', refuse),
      workloadRef: false,
    },
  ];
};

/** `spec.a.b` as [spec, a, b]: plain field names under spec, where a workload keeps what it wants to run. */
function fieldPath(path: string, option: OptionName, refuse: (problem: string) => never): string[] {
  const fields = path.split('.');
  if (fields.length > MAX_PATH_FIELDS) return refuse(`has a ${option} of more than ${MAX_PATH_FIELDS} fields`);
  const bad = fields.find((f) => !FIELD.test(f));
  if (bad !== undefined)
    return refuse(
      `has ${option} ${q(path)}, whose field ${q(bad)} is not a field name (a letter or '_', then letters, digits, '_' or '-')`,
    );
  if (fields[0] !== 'spec' || fields.length < 2)
    return refuse(`has ${option} ${q(path)}, which is not a field under spec (e.g. spec.template)`);
  return fields;
}

/**
 * The declarations of every --workload-kind, checked together: a kind
 * declared twice (also through a preset and by hand) is refused, since the
 * two could disagree on how it rolls.
 */
export function distinctWorkloadKinds(
  values: readonly WorkloadKindValue[],
  source: string,
): { kinds: DeclaredWorkloadKind[]; rolloutWorkloadRef: boolean } {
  const seen = new Map<string, string>();
  for (const value of values) {
    const id = value.workloadRef ? 'Rollout.argoproj.io' : declaredKindId(value);
    const earlier = seen.get(id);
    if (earlier !== undefined)
      throw new OptionsError(
        `${source}: ${q(value.declaration)} declares ${value.group}/${value.kind} again, as ${q(earlier)} did; declare each kind once`,
      );
    seen.set(id, value.declaration);
  }
  return {
    kinds: values.filter((v) => !v.workloadRef).map(({ workloadRef: _, ...kind }) => kind),
    rolloutWorkloadRef: values.some((v) => v.workloadRef),
  };
}
