import { csvItems } from './csv-list.ts';
import { LABEL_NAME, qualifiedNameProblem } from './kubernetes-names.ts';
import { invalid, q, type ValueParser } from './value-parser.ts';

export const SELECTOR_ALLOWED = 'comma-joined k=v, k!=v, k, !k, k in (a,b), k notin (a,b)';

class SelectorProblem extends Error {
  readonly term: string;
  constructor(term: string, reason: string) {
    super(reason);
    this.term = term;
  }
}

/** Splits at the commas outside parentheses. */
function selectorTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0 || depth > 1)
      throw new SelectorProblem(selector, depth < 0 ? "it has a ')' without its '('" : 'it nests parentheses');
    if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new SelectorProblem(selector, "it has a '(' without its ')'");
  terms.push(selector.slice(start));
  return terms;
}

function checkKey(term: string, key: string): string {
  const problem = qualifiedNameProblem(key);
  if (problem !== undefined) throw new SelectorProblem(term, `its label key ${problem}`);
  return key;
}

function checkValue(term: string, value: string): string {
  if (value !== '' && !LABEL_NAME.test(value))
    throw new SelectorProblem(
      term,
      `its value "${value}" is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`,
    );
  return value;
}

/**
 * One requirement in Kubernetes' canonical spelling; Stakater's legacy `k:v`, `k:*` and `k=*` are translated.
 * Linear in the term: each pattern is anchored and its neighbouring repeats
 * take disjoint characters (a key never holds space, `=`, `!`, `<`, `>`,
 * `:` or parentheses), so a failed match gives each character back at most once.
 */
function normalizeRequirement(term: string): string {
  let m = /^!\s*([^\s=!<>:(),]+)$/.exec(term);
  if (m !== null) return `!${checkKey(term, m[1] ?? '')}`;
  m = /^([^\s=!<>:(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m !== null) {
    const values = (m[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) throw new SelectorProblem(term, 'its set of values is empty');
    return `${checkKey(term, m[1] ?? '')} ${m[2] ?? ''} (${values.map((v) => checkValue(term, v)).join(',')})`;
  }
  m = /^([^\s=!<>:(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(term);
  if (m !== null) {
    const key = checkKey(term, m[1] ?? '');
    const op = m[2] === '!=' ? '!=' : '=';
    if (m[3] === '*' && op === '=') return key;
    return `${key}${op}${checkValue(term, m[3] ?? '')}`;
  }
  m = /^([^\s=!<>:(),]+)\s*([<>])\s*([^\s=!<>(),]+)$/.exec(term);
  if (m !== null) {
    if (!/^-?\d+$/.test(m[3] ?? '')) throw new SelectorProblem(term, `'${m[2] ?? ''}' needs a whole number`);
    return `${checkKey(term, m[1] ?? '')}${m[2] ?? ''}${m[3] ?? ''}`;
  }
  m = /^([^\s=!<>:(),]+):([^\s=!<>:(),]*)$/.exec(term);
  if (m !== null) {
    const key = checkKey(term, m[1] ?? '');
    return m[2] === '*' ? key : `${key}=${checkValue(term, m[2] ?? '')}`;
  }
  m = /^([^\s=!<>:(),]+)$/.exec(term);
  if (m !== null) return checkKey(term, m[1] ?? '');
  throw new SelectorProblem(term, 'it is not a label selector requirement');
}

/**
 * Checks and normalizes a label selector; the empty selector (or one of
 * only commas) is undefined: select everything.
 */
export function normalizeLabelSelector(selector: string): string | undefined {
  const requirements = selectorTerms(selector)
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map(normalizeRequirement);
  return requirements.length === 0 ? undefined : requirements.join(',');
}

/** A selector given as Stakater's list flags take it: its CSV items joined with commas again, so quotes around it go. */
export const labelSelector: ValueParser<string | undefined> = (raw) => {
  try {
    return normalizeLabelSelector(csvItems(raw).join(','));
  } catch (err) {
    if (!(err instanceof SelectorProblem)) throw err;
    return invalid(
      `${q(err.term.trim())} is not a valid label selector: ${err.message} (allowed: ${SELECTOR_ALLOWED})`,
    );
  }
};

/** How repeated selector flags add up, as Stakater's string-slice flags do: every requirement of each. */
export const joinSelectors = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : `${a},${b}`;
