import { APP_IDENTITY_NAME } from '../constructs/app-data';
import { APP_DATABASE_ROLES, grantAppAccessBatch } from '../scripts/grant-app-sql-access';
import { AppContract } from '../../app/src/app-contract';

test('the app identity gets a passwordless contained user with read, write and DDL roles, idempotently', () => {
  const batch = grantAppAccessBatch();
  expect(APP_IDENTITY_NAME).toBe(`${AppContract.appName}-identity`);
  expect(batch).toContain("IF NOT EXISTS (SELECT 1 FROM sys.database_principals WHERE name = @name)");
  expect(batch).toContain("CREATE USER ' + QUOTENAME(@name) + N' FROM EXTERNAL PROVIDER");
  for (const role of APP_DATABASE_ROLES) expect(batch).toContain(`ALTER ROLE ${role} ADD MEMBER ' + QUOTENAME(@name)`);
  expect(batch).not.toMatch(/PASSWORD/i);
  // The name only ever reaches SQL as a parameter, quoted by QUOTENAME.
  expect(batch).not.toContain(APP_IDENTITY_NAME);
});
