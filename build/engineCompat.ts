/**
 * What each engine lacks, and the check that keeps it out of a board bundle.
 *
 * Two layers: esbuild lowers what it can (its `supported` map: optional chaining, `**`, class fields,
 * logical assignment; test/fixtures/lowered proves each runs right on Espruino) and itself fails,
 * naming the file, on what it cannot lower (destructuring, default and rest parameters, spread, async
 * functions, generators, BigInt literals). The AST check below then walks the output for what no
 * compiler can lower (BigInt(), Map/Set, Math.imul, labels, typed-array slice...) and maps each find
 * back to its source file and line through the source map.
 *
 * The lists come from probing the engines built by shared/engines/build.sh (Espruino 2v29, JerryScript
 * 3.0 es.next) and from shared/engines/README.md; each entry names what the engine does with it.
 * @module
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

export type EngineTarget = 'node' | 'espruino' | 'jerryscript';

interface EngineRules {
  /** esbuild `supported` entries: false makes esbuild lower the feature, or fail when it cannot. */
  esbuildSupported: Record<string, boolean>;
  /** Syntax node types the engine cannot parse or run correctly. */
  syntax: Record<string, string>;
  /** Global names the engine lacks. */
  globals: Record<string, string>;
  /** `Object.member` reads the engine lacks. */
  members: Record<string, string>;
}

/** Espruino 2v29 (probed): parse errors or wrong behaviour for these. */
const ESPRUINO: EngineRules = {
  esbuildSupported: {
    'default-argument': false,
    'rest-argument': false,
    'array-spread': false,
    'object-rest-spread': false,
    'optional-chain': false,
    'exponent-operator': false,
    'class-field': false, // Espruino keeps class-body fields on the prototype: instances would share them
    'class-static-field': false,
    'class-private-field': false,
    'class-private-method': false,
    'class-private-accessor': false,
    'class-private-static-field': false,
    'class-private-static-method': false,
    'class-private-static-accessor': false,
    'class-private-brand-check': false,
    'class-static-blocks': false,
    'logical-assignment': false,
    'destructuring': false,
    'async-await': false,
    'async-generator': false,
    'for-await': false,
    'generator': false,
    'bigint': false,
    'regexp-named-capture-groups': false,
    'regexp-lookbehind-assertions': false,
    'regexp-sticky-and-unicode-flags': false,
    'regexp-unicode-property-escapes': false,
    'regexp-dot-all-flag': false,
    'regexp-match-indices': false,
  },
  syntax: {
    ObjectPattern: 'destructuring (Espruino 2v29 binds nothing)',
    ArrayPattern: 'destructuring (Espruino 2v29 binds nothing)',
    AssignmentPattern: 'default parameter (Espruino 2v29: SyntaxError)',
    RestElement: 'rest parameter (Espruino 2v29: SyntaxError)',
    SpreadElement: 'spread (Espruino 2v29: SyntaxError)',
    ChainExpression: 'optional chaining ?. (Espruino 2v29: SyntaxError)',
    LabeledStatement: 'labelled statement (Espruino 2v29: ReferenceError on the label)',
    PropertyDefinition: 'class field (Espruino 2v29 stores it on the prototype)',
    PrivateIdentifier: '#private member (Espruino 2v29: SyntaxError)',
    AwaitExpression: 'await (Espruino 2v29 has no async functions)',
    YieldExpression: 'yield (Espruino 2v29 has no generators)',
  },
  globals: {
    BigInt: 'BigInt (Espruino 2v29 has none)',
    Map: 'Map (Espruino 2v29 has none)',
    Set: 'Set (Espruino 2v29 has none)',
    WeakMap: 'WeakMap (Espruino 2v29 has none)',
    WeakSet: 'WeakSet (Espruino 2v29 has none)',
    Symbol: 'Symbol (Espruino 2v29 has none)',
    Proxy: 'Proxy (Espruino 2v29 has none)',
    Reflect: 'Reflect (Espruino 2v29 has none)',
    RangeError: 'RangeError (Espruino 2v29 has none)',
    TextEncoder: 'TextEncoder (Espruino 2v29 has none)',
    TextDecoder: 'TextDecoder (Espruino 2v29 has none)',
    Buffer: 'Buffer (a Node API)',
    globalThis: 'globalThis (Espruino 2v29 has none)',
  },
  members: {
    'Math.imul': 'Math.imul (Espruino 2v29 has none)',
    'Math.trunc': 'Math.trunc (Espruino 2v29 has none)',
    'Math.clz32': 'Math.clz32 (Espruino 2v29 has none)',
    'Number.isInteger': 'Number.isInteger (Espruino 2v29 has none)',
    'Number.isSafeInteger': 'Number.isSafeInteger (Espruino 2v29 has none)',
    'Object.freeze': 'Object.freeze (Espruino 2v29 has none)',
    'Array.from': 'Array.from (Espruino 2v29 has none)',
    'Array.of': 'Array.of (Espruino 2v29 has none)',
  },
};

/** JerryScript 3.0 es.next (probed): the language is complete; the host globals are not. */
const JERRYSCRIPT: EngineRules = {
  esbuildSupported: {},
  syntax: {},
  globals: {
    console: 'console (the stock jerry has print() only)',
    TextEncoder: 'TextEncoder (JerryScript 3.0 has none)',
    TextDecoder: 'TextDecoder (JerryScript 3.0 has none)',
    Buffer: 'Buffer (a Node API)',
    process: 'process (a Node API; jerry has none)',
    setTimeout: 'setTimeout (the stock jerry has no timers)',
  },
  members: {},
};

const RULES: Record<EngineTarget, EngineRules | undefined> = { node: undefined, espruino: ESPRUINO, jerryscript: JERRYSCRIPT };

export function esbuildSupportedFor(engine: EngineTarget): Record<string, boolean> {
  return RULES[engine]?.esbuildSupported ?? {};
}

/** True when a regex pattern has a `/` inside `[...]` that is not escaped (valid JS, but not for Espruino). */
function slashInCharacterClass(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && inClass) return true;
  }
  return false;
}

/** True when a regex pattern has a bounded repeat `{n}`, `{n,}` or `{n,m}` outside a character class. */
function boundedRepeat(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '{' && !inClass && /^\{\d+(,\d*)?\}/.test(pattern.substring(i))) return true;
  }
  return false;
}

export interface Incompatibility {
  construct: string;
  /** Source file and position, through the source map (the bundle position when unmapped). */
  where: string;
}

/** Every construct of `code` that `engine` lacks, each mapped to its source through `sourceMap`. */
export function findIncompatibilities(engine: EngineTarget, code: string, sourceMap?: string): Incompatibility[] {
  const rules = RULES[engine];
  if (!rules) return [];
  const map = sourceMap ? new TraceMap(sourceMap) : undefined;
  const found: Incompatibility[] = [];
  const seen = new Set<string>();
  const report = (construct: string, node: acorn.Node) => {
    const loc = node.loc!.start;
    let where = `bundle:${loc.line}:${loc.column + 1}`;
    if (map) {
      const o = originalPositionFor(map, { line: loc.line, column: loc.column });
      if (o.source) where = `${o.source}:${o.line}:${(o.column ?? 0) + 1}`;
    }
    const key = construct + '@' + where;
    if (!seen.has(key)) {
      seen.add(key);
      found.push({ construct, where });
    }
  };
  let ast: acorn.Node;
  try {
    ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
  } catch (e) {
    return [{ construct: 'unparseable output: ' + (e as Error).message, where: 'bundle' }];
  }
  walk.fullAncestor(ast, (node, _state, ancestors) => {
    const n = node as acorn.Node & Record<string, any>;
    const parent = ancestors[ancestors.length - 2] as (acorn.Node & Record<string, any>) | undefined;
    if (rules.syntax[n.type]) report(rules.syntax[n.type], n);
    if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression')) {
      if (n.async && engine === 'espruino') report('async function (Espruino 2v29 has none)', n);
      if (n.generator && engine === 'espruino') report('generator function (Espruino 2v29 has none)', n);
    }
    if (n.type === 'Literal' && n.bigint !== undefined && engine === 'espruino') report('BigInt literal (Espruino 2v29 has none)', n);
    if (n.type === 'BinaryExpression' && n.operator === '**' && engine === 'espruino') report('** operator (Espruino 2v29: SyntaxError)', n);
    if (n.type === 'Identifier' && Object.prototype.hasOwnProperty.call(rules.globals, n.name)) {
      const isPropertyName =
        parent &&
        ((parent.type === 'MemberExpression' && parent.property === n && !parent.computed) ||
          ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') &&
            parent.key === n && !parent.computed));
      if (!isPropertyName) report(rules.globals[n.name], n);
    }
    if (engine === 'espruino' && n.type === 'Literal' && n.regex && slashInCharacterClass(n.regex.pattern)) {
      report('unescaped / inside a regex character class (Espruino 2v29 cannot parse it; write \\/)', n);
    }
    if (engine === 'espruino' && n.type === 'Literal' && n.regex && boundedRepeat(n.regex.pattern)) {
      report('bounded repeat {n} or {n,m} in a regex (Espruino 2v29 matches nothing; check by hand)', n);
    }
    if (engine === 'espruino' && n.type === 'Property' && n.computed && parent?.type === 'ObjectExpression') {
      report('computed key in an object literal (Espruino 2v29: SyntaxError; assign o[key] = v instead)', n);
    }
    if (engine === 'espruino' && n.type === 'MemberExpression' && !n.computed && n.property.name === 'slice') {
      report('.slice() (Espruino 2v29: Uint8Array slice returns a plain Array; use copyBytes or substring)', n);
    }
    if (n.type === 'MemberExpression' && !n.computed && n.object.type === 'Identifier') {
      const name = n.object.name + '.' + n.property.name;
      if (Object.prototype.hasOwnProperty.call(rules.members, name)) report(rules.members[name], n);
    }
  });
  return found;
}
