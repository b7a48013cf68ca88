package io.skoop.network.provider;

import io.skoop.snapshot.Snapshot;

/**
 * Where the cluster runs (seed: Provider): what lies between the nodes. {@link GenericProvider} is a
 * plain L3 network that reaches every node address and every address outside the cluster, and
 * nothing inside the cluster's pod and Service ranges.
 */
public interface Provider {
    /** The provider's name as shown in a diagnosis ({@code generic}). */
    String name();

    /** The infrastructure shim for a snapshot of this provider's cluster. */
    InfraShim infraShim(Snapshot snapshot);
}
