package io.skoop.plugin;

import io.skoop.snapshot.SnapshotMeta;

/**
 * Makes the {@link Plugin} of one CNI. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.skoop.plugin.PluginFactory}): adding a CNI to skoop is adding a plugin and its factory,
 * never editing the Diagnostor. {@link io.skoop.network.Network#of} picks the factory whose {@link #cni()} equals the
 * snapshot's {@code cni} (case-insensitive).
 */
public interface PluginFactory {
    /** The CNI this factory's plugin knows, as {@code snapshot.json}'s {@code cni} names it ({@code flannel}). */
    String cni();

    /**
     * The plugin for a snapshot of this CNI.
     *
     * @param meta the snapshot's metadata ({@code cniBackend} says the plugin's mode)
     */
    Plugin create(SnapshotMeta meta);
}
