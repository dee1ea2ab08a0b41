/** Which provider instance this process serves (HF_PROVIDER_NAME); bound as a constant. */
export class ProviderIdentity {
  constructor(
    readonly name: string,
    /** Return hosts the store does not know even when this provider instance did not tag them (RETURN_UNTRACKED_HOSTS). */
    readonly returnUntrackedHosts = false,
  ) {}
}
