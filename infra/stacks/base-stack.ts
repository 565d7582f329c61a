import { Aspects, AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import type { EnvironmentConfig } from '../../platform/environment-config';
import { TagsAspect } from '../aspects/tags-aspect';
import { TERRAFORM_VERSION } from '../config/terraform-version';

/** Whether this synth writes HCL (`cdktf synth --hcl` sets SYNTH_HCL_OUTPUT). */
export const isHclSynth = (env: Readonly<Record<string, string | undefined>> = process.env): boolean =>
  env.SYNTH_HCL_OUTPUT === 'true' || env.SYNTH_HCL_OUTPUT === '1';

/** Local state, relative to a stack's folder (cdktf.out/stacks/<stack>): the project root. */
export const LOCAL_STATE_DIR = '../../..';

/** Remote state settings, from the environment (the pipeline sets them). */
export interface StateBackendConfig {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
}

/** Reads `TF_STATE_RESOURCE_GROUP`, `TF_STATE_STORAGE_ACCOUNT`, `TF_STATE_CONTAINER`; all or none. */
export function stateBackendFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): StateBackendConfig | undefined {
  const values = [env.TF_STATE_RESOURCE_GROUP, env.TF_STATE_STORAGE_ACCOUNT, env.TF_STATE_CONTAINER];
  if (values.every((v) => !v)) return undefined;
  if (values.some((v) => !v))
    throw new Error('Remote state needs all of TF_STATE_RESOURCE_GROUP, TF_STATE_STORAGE_ACCOUNT and TF_STATE_CONTAINER (or none, for local state).');
  return { resourceGroupName: values[0]!, storageAccountName: values[1]!, containerName: values[2]! };
}

/** Where a stack keeps its state. */
export interface StateProps {
  /** Remote state; local state when absent (synth works anywhere). @default - local state in the project root */
  readonly backend?: StateBackendConfig;
}

/** A stack of one environment. */
export interface BaseStackProps extends StateProps {
  /** The environment's validated settings (platform/dev.ts, platform/prod.ts). */
  readonly config: EnvironmentConfig;
}

/**
 * Base for every stack: the azurerm provider authenticated from the environment (az login
 * locally, OIDC in the pipeline; never a client secret) and one state file per stack and
 * environment.
 */
export abstract class BaseStack extends TerraformStack {
  /** `tags` go on every resource of the stack that takes tags (see `TagsAspect`). */
  protected constructor(scope: Construct, id: string, props: StateProps, tags: Readonly<Record<string, string>>) {
    super(scope, id);
    Aspects.of(this).add(new TagsAspect(tags));
    // One Terraform for every run: a plan made by one version is not applied by another. Left
    // out of `cdktf synth --hcl`: cdktf 0.21 renders any extra terraform-block attribute as
    // `0 = "required_version"`, which is not HCL (npm run tf and the pipeline still pin it).
    if (!isHclSynth()) this.addOverride('terraform.required_version', TERRAFORM_VERSION);
    new AzurermProvider(this, 'azurerm', { features: [{}], storageUseAzuread: true });
    if (props.backend) {
      new AzurermBackend(this, { ...props.backend, key: `${id}.tfstate`, useAzureadAuth: true, useOidc: true });
    } else {
      // Terraform runs in cdktf.out/stacks/<stack>/ (cdktf deploy and npm run tf alike), and
      // a stack reads another's state by this same path from its own folder: keep every state
      // file in the project root, beside, not inside, the throwaway synth output.
      new LocalBackend(this, { path: `${LOCAL_STATE_DIR}/terraform.${id}.tfstate` });
    }
  }
}
