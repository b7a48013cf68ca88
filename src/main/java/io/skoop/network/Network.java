package io.skoop.network;

import io.skoop.model.Suspicion;
import io.skoop.network.provider.InfraShim;
import io.skoop.network.provider.Provider;
import io.skoop.plugin.Plugin;
import io.skoop.plugin.PluginFactory;
import io.skoop.service.ServiceProcessor;
import io.skoop.service.ServiceProcessorFactory;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * A cluster's network as a diagnosis sees it (seed: Network): the provider's infrastructure between the nodes, the
 * CNI plugin whose intent is checked, and the kube-proxy mode's service processor. {@link #of} assembles it for a
 * snapshot from the registered {@link PluginFactory} and {@link ServiceProcessorFactory} implementations, so the
 * Diagnostor names no concrete plugin.
 *
 * @param provider the provider's name ({@code generic})
 * @param infra    what the infrastructure does to packets between nodes
 * @param plugin   the CNI plugin, or null when no registered plugin knows the snapshot's CNI (the namespaces are
 *                 simulated all the same; only the CNI's intent is not checked)
 * @param services the service processor of the snapshot's kube-proxy mode, or null when none is registered
 * @param setup    what the assembly has to say about the network before any packet is simulated (INFO: a CNI or
 *                 proxy mode without a plugin), shown with every diagnosis
 */
public record Network(String provider, InfraShim infra, Plugin plugin, ServiceProcessor services, List<Suspicion> setup) {

    public Network {
        setup = List.copyOf(setup);
    }

    /**
     * The network of a snapshot: the plugin registered for {@code snapshot.json}'s {@code cni}, the processor for its
     * {@code proxyMode} ({@code iptables} when absent), the provider's shim.
     */
    public static Network of(Snapshot snapshot, Provider provider) {
        SnapshotMeta meta = snapshot.meta();
        List<Suspicion> setup = new ArrayList<>();
        Plugin plugin = null;
        for (PluginFactory f : ServiceLoader.load(PluginFactory.class, Network.class.getClassLoader())) {
            if (f.cni().equalsIgnoreCase(String.valueOf(meta.cni()))) {
                plugin = f.create(meta, snapshot.objects());
                break;
            }
        }
        if (plugin == null) {
            setup.add(Suspicion.info("CNI '" + meta.cni() + "' has no skoop plugin: its intent (devices, routes, MTUs) is not checked"
                    + " (plugins: " + String.join(", ", cnis()) + ")"));
        }
        String mode = meta.proxyMode() == null ? "iptables" : meta.proxyMode();
        ServiceProcessor services = null;
        for (ServiceProcessorFactory f : ServiceLoader.load(ServiceProcessorFactory.class, Network.class.getClassLoader())) {
            if (f.mode().equalsIgnoreCase(mode)) {
                services = f.create();
                break;
            }
        }
        if (services == null) {
            setup.add(Suspicion.info("kube-proxy mode '" + meta.proxyMode() + "' has no skoop service processor: Services are"
                    + " still resolved by the simulated rules, but not cross-checked with EndpointSlices"));
        }
        return new Network(provider.name(), provider.infraShim(snapshot), plugin, services, setup);
    }

    /** The CNIs registered plugins know, sorted ({@code [flannel]}). */
    public static List<String> cnis() {
        List<String> out = new ArrayList<>();
        ServiceLoader.load(PluginFactory.class, Network.class.getClassLoader()).forEach(f -> out.add(f.cni().toLowerCase(Locale.ROOT)));
        return out.stream().sorted().toList();
    }
}
