/** Settings a real deploy would have: every principal configured, a real admin range, a built image. */
export const DEPLOY_ENV = {
  ADMIN_CIDRS: '148.252.158.53/32',
  ADMIN_GROUP_OBJECT_ID: '5b3c1e2a-0d4f-4e8a-9c7b-1a2b3c4d5e6f',
  ADMIN_GROUP_NAME: 'Order Platform Admins',
  SQL_ADMIN_GROUP_OBJECT_ID: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  SQL_ADMIN_GROUP_NAME: 'Order Platform SQL Admins',
  DEPLOYER_OBJECT_ID: '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4',
  APP_IMAGE: 'orderplatacr.azurecr.io/order-app:20261201.1-3f2a9c1',
};
