/** Which provider instance this process serves (HF_PROVIDER_NAME); bound as a constant. */
export class ProviderIdentity {
  constructor(
    readonly name: string,
    readonly type: string,
  ) {}
}
