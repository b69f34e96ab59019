// Servers shared by all e2e files are started here; per-file servers (OpenID provider,
// misbehaving JWKS) are started by the files themselves.
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
