package io.skoop.network.provider;

import io.skoop.snapshot.Snapshot;

/**
 * The provider of a cluster on plain machines (bare metal, VMs on a flat network, the lab): the
 * underlay routes node addresses and external addresses and checks nothing; its shim is
 * {@link InfraShim#NONE}.
 */
public final class GenericProvider implements Provider {
    @Override
    public String name() {
        return "generic";
    }

    @Override
    public InfraShim infraShim(Snapshot snapshot) {
        return InfraShim.NONE;
    }
}
