/**
 * Imports a module only some users install (onnxruntime-node, webgpu, tfjs-node, …), by a name
 * TypeScript does not try to resolve, so the build compiles where npm left it out. A bundle that
 * packs such a module (bench/gpu/bundle.sh) supplies a loader for it in
 * `globalThis.__synxModules`, since a bundler cannot follow an import by variable name.
 */
export async function optionalImport(name: string): Promise<unknown> {
  const packed = (globalThis as { __synxModules?: Record<string, () => Promise<unknown>> }).__synxModules?.[name];
  return packed ? packed() : import(name);
}

/** Whether optional module `name` is installed (or packed into this bundle), without loading it. */
export function optionalModuleInstalled(name: string): boolean {
  if ((globalThis as { __synxModules?: Record<string, unknown> }).__synxModules?.[name]) return true;
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}
