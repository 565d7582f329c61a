/** One entry of an Express router stack: a route, or a mounted router with a stack of its own. */
interface Layer {
  readonly route?: { readonly path?: string | string[] };
  readonly handle?: { readonly stack?: readonly Layer[] };
}

/** Every route path the Express app serves, walking its router stack (sub-routers included), each once. */
export function appRoutes(app: { router: { stack: readonly Layer[] } }): string[] {
  const out: string[] = [];
  const walk = (stack: readonly Layer[]) => {
    for (const layer of stack) {
      if (layer.route?.path) out.push(...([] as string[]).concat(layer.route.path));
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(app.router.stack);
  return [...new Set(out)];
}
