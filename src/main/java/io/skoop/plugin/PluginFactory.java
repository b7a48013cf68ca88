package io.skoop.plugin;

import io.skoop.snapshot.SnapshotMeta;
import io.skoop.snapshot.k8s.KubeObjects;

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
     * @param meta    the snapshot's metadata ({@code cniBackend} says the plugin's mode)
     * @param objects the snapshot's Kubernetes objects: what a plugin needs beyond one node and its namespace (the
     *                pods of a node, a CNI's own objects such as Calico's BlockAffinities)
     */
    Plugin create(SnapshotMeta meta, KubeObjects objects);
}
