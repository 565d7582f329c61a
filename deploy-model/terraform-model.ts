import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One stack's synthesized Terraform JSON (`cdk.tf.json`), the parts the model reads. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { readonly value: unknown; readonly sensitive?: boolean }>;
}

/** A resource of one stack. */
export interface TfResource {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  /** `<stack>:<type>.<name>`: stable across stacks, used in reports. */
  readonly address: string;
  readonly values: Record<string, unknown>;
}

const REF = /\$\{([^}]+)\}/g;
const REMOTE = /^data\.terraform_remote_state\.([^.]+)\.outputs\.(.+)$/;
/** cdktf names the remote state of stack S `cross-stack-reference-input-S`. */
const REMOTE_STATE_PREFIX = 'cross-stack-reference-input-';

/**
 * The synthesized stacks as Terraform reads them, with every reference made comparable
 * across stacks: `${azurerm_x.y.id}` in stack S becomes `{S:azurerm_x.y.id}`, and a
 * cross-stack reference (a remote-state output) is followed to the resource it names.
 */
export class TerraformModel {
  constructor(readonly stacks: Readonly<Record<string, StackJson>>) {}

  /** Reads every `<dir>/<stack>/cdk.tf.json` that `cdktf synth` wrote. */
  static fromDirectory(stacksDir: string): TerraformModel {
    if (!existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist: run \`npm run synth\` first.`);
    const stacks: Record<string, StackJson> = {};
    for (const name of readdirSync(stacksDir)) {
      const file = join(stacksDir, name, 'cdk.tf.json');
      if (existsSync(file)) stacks[name] = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
    }
    return new TerraformModel(stacks);
  }

  /** Every resource of a type in the given stacks (all stacks when none are named). */
  resources(type: string, stackNames: readonly string[] = Object.keys(this.stacks)): TfResource[] {
    return stackNames.flatMap((stack) =>
      Object.entries(this.stacks[stack]?.resource?.[type] ?? {}).map(([name, values]) => ({
        stack,
        type,
        name,
        address: `${stack}:${type}.${name}`,
        values,
      })),
    );
  }

  /** The one resource of a type in the given stacks; throws naming the type when there is not exactly one. */
  only(type: string, stackNames?: readonly string[]): TfResource {
    const found = this.resources(type, stackNames);
    if (found.length !== 1) throw new Error(`expected one ${type} in ${stackNames?.join(', ') ?? 'the stacks'}, found ${found.length}`);
    return found[0]!;
  }

  /** A value of a stack with every `${...}` made canonical (see the class comment); other values as JSON. */
  canon(stack: string, value: unknown): string {
    if (typeof value !== 'string') return JSON.stringify(value);
    return value.replace(REF, (_, expr: string) => `{${this.canonRef(stack, expr.trim())}}`);
  }

  /** The canonical reference of a resource attribute: `{stack:type.name.attr}`. */
  ref(resource: TfResource, attribute: string): string {
    return `{${resource.stack}:${resource.type}.${resource.name}.${attribute}}`;
  }

  /** Another attribute of the resource a canonical reference names: `{s:t.n.name}` -> `{s:t.n.id}`. */
  withAttribute(canonical: string, attribute: string): string {
    return canonical.replace(/^(\{[^:}]+:[a-z0-9_]+\.[^.}]+)\.[^}]+\}$/, `$1.${attribute}}`);
  }

  /** The resource a canonical reference names, if any. */
  resourceOf(canonical: string): TfResource | undefined {
    const m = /^\{([^:}]+):([a-z0-9_]+)\.([^.}]+)\./.exec(canonical);
    if (!m) return undefined;
    const values = this.stacks[m[1]!]?.resource?.[m[2]!]?.[m[3]!];
    return values ? { stack: m[1]!, type: m[2]!, name: m[3]!, address: `${m[1]}:${m[2]}.${m[3]}`, values } : undefined;
  }

  private canonRef(stack: string, expr: string): string {
    const remote = REMOTE.exec(expr);
    if (remote) {
      const producer = remote[1]!.startsWith(REMOTE_STATE_PREFIX) ? remote[1]!.slice(REMOTE_STATE_PREFIX.length) : undefined;
      const o = producer ? this.stacks[producer]?.output?.[remote[2]!] : undefined;
      const inner = o && typeof o.value === 'string' ? /^\$\{([^}]+)\}$/.exec(o.value) : null;
      if (inner) return this.canonRef(producer!, inner[1]!.trim());
      return `${stack}:${expr}`;
    }
    return `${stack}:${expr}`;
  }

  /**
   * What a resource depends on, directly: its `depends_on` and every resource its values
   * reference in the same stack.
   */
  dependencies(resource: TfResource): TfResource[] {
    const text = JSON.stringify(resource.values);
    const out = new Map<string, TfResource>();
    const add = (type: string, name: string) => {
      const values = this.stacks[resource.stack]?.resource?.[type]?.[name];
      if (values) out.set(`${type}.${name}`, { stack: resource.stack, type, name, address: `${resource.stack}:${type}.${name}`, values });
    };
    for (const d of (resource.values.depends_on as string[] | undefined) ?? []) {
      const m = /^([a-z0-9_]+)\.([^.]+)$/.exec(d);
      if (m) add(m[1]!, m[2]!);
    }
    for (const m of text.matchAll(/\$\{([a-z0-9_]+)\.([^.}[]+)/g)) if (m[1] !== 'data' && m[1] !== 'var') add(m[1]!, m[2]!);
    return [...out.values()];
  }

  /** Everything `resource` is created after, transitively (its dependencies, theirs, and so on). */
  upstream(resource: TfResource): TfResource[] {
    const found = new Map<string, TfResource>();
    const visit = (r: TfResource): void => {
      for (const d of this.dependencies(r)) {
        if (found.has(d.address)) continue;
        found.set(d.address, d);
        visit(d);
      }
    };
    visit(resource);
    return [...found.values()];
  }
}
