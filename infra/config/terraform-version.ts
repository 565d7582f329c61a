import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one Terraform version this repo deploys with, from `.terraform-version` (the file
 * tfenv and tfswitch read). The stacks require exactly it, `npm run tf` refuses another, and
 * the pipeline installs it.
 */
export const TERRAFORM_VERSION = readFileSync(join(__dirname, '../../.terraform-version'), 'utf8').trim();
