import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appIdentityName } from '../constructs/app-data';
import { environments } from '../../platform/environment-config';
import { APP_DATABASE_ROLES, appIdentityFromOutputs, entraSid, grantAppAccessBatch } from '../scripts/grant-app-sql-access';
import { AppContract } from '../../app/src/app-contract';

test("each environment's app identity has its own name, so Entra never sees two of one name", () => {
  const names = environments({}).map((e) => appIdentityName(e.name));
  expect(names).toEqual([`${AppContract.appName}-identity-dev`, `${AppContract.appName}-identity-prod`]);
  expect(new Set(names).size).toBe(names.length);
});

test("the user is created with the identity's client id as SID, no directory lookup, idempotently", () => {
  const batch = grantAppAccessBatch();
  expect(batch).toContain('IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)');
  expect(batch).toContain("CREATE USER ' + QUOTENAME(@name) + N' WITH SID = ' + CONVERT(nvarchar(34), @sid, 1) + N', TYPE = E'");
  expect(batch).not.toContain('FROM EXTERNAL PROVIDER');
  for (const role of APP_DATABASE_ROLES) expect(batch).toContain(`ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name)`);
  expect(batch).not.toMatch(/PASSWORD/i);
});

test('--lookup entra creates the user FROM EXTERNAL PROVIDER WITH OBJECT_ID, from a typed parameter', () => {
  const batch = grantAppAccessBatch('entra');
  expect(batch).toContain("FROM EXTERNAL PROVIDER WITH OBJECT_ID = ''' + CONVERT(nvarchar(36), @objectId) + N''''");
  expect(batch).not.toContain('WITH SID');
});

test('a user of that name that belongs to another identity stops the grant with what to do', () => {
  const batch = grantAppAccessBatch();
  expect(batch).toContain('IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name AND sid = @sid)');
  expect(batch).toMatch(/THROW 50001, @message, 1;/);
  expect(batch).toContain('belongs to another identity');
  expect(batch.indexOf('THROW')).toBeLessThan(batch.indexOf('ALTER ROLE'));
});

test("the SID is the client id in SQL Server's uniqueidentifier byte order (first three groups little-endian)", () => {
  expect(entraSid('00112233-4455-6677-8899-aabbccddeeff').toString('hex')).toBe('33221100554477668899aabbccddeeff');
  expect(entraSid('6F9619FF-8B86-D011-B42D-00C04FC964FF').toString('hex')).toBe('ff19966f868b11d0b42d00c04fc964ff');
  expect(() => entraSid("x'; DROP TABLE orders; --")).toThrow('client id must be a GUID');
});

test('the identity comes from the platform stack outputs, each value checked', () => {
  const outputs = {
    'platform-dev': {
      app_identity_name: 'order-app-identity-dev',
      app_identity_client_id: '11111111-2222-3333-4444-555555555555',
      app_identity_principal_id: '66666666-7777-8888-9999-000000000000',
    },
  };
  expect(appIdentityFromOutputs(outputs, 'dev', 'o.json')).toEqual({
    name: 'order-app-identity-dev',
    clientId: '11111111-2222-3333-4444-555555555555',
    principalId: '66666666-7777-8888-9999-000000000000',
  });
  expect(() => appIdentityFromOutputs(outputs, 'prod', 'o.json')).toThrow(
    'o.json has no outputs for stack "platform-prod"; run: npm run tf -- outputs --env prod.',
  );
  const bad = { 'platform-dev': { ...outputs['platform-dev'], app_identity_client_id: 'nope' } };
  expect(() => appIdentityFromOutputs(bad, 'dev', 'o.json')).toThrow('output "app_identity_client_id" must be a GUID; got "nope"');
});

test('the script names a missing outputs file and a bad --lookup, exit 2, before connecting anywhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grant-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), 'infra/scripts/grant-app-sql-access.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env },
    });
  const missing = run('--env', 'dev', '--infra-outputs', join(dir, 'none.json'));
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('--infra-outputs: cannot read JSON from');
  writeFileSync(join(dir, 'o.json'), '{}');
  const lookup = run('--env', 'dev', '--infra-outputs', join(dir, 'o.json'), '--lookup', 'graph');
  expect(lookup.status).toBe(2);
  expect(lookup.stderr).toContain('--lookup must be sid or entra; got "graph".');
  const env = run('--env', 'staging');
  expect(env.status).toBe(2);
  expect(env.stderr).toContain('--env must be one of dev, prod; got "staging".');
});
