/**
 * The Terraform stacks, by the names `cdktf synth` gives their folders under
 * `cdktf.out/stacks/`: one registry shared by every environment, then a network and a
 * platform stack per environment, applied in that order (destroyed in reverse).
 */
export const STACK_NAMES = {
  registry: 'registry',
  network: (environment: string): string => `network-${environment}`,
  platform: (environment: string): string => `platform-${environment}`,
} as const;
