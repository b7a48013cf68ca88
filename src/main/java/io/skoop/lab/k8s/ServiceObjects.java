package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.topology.ResolvedService;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.lab.topology.Service;
import io.skoop.lab.topology.ServicePort;
import io.skoop.lab.topology.ServiceType;
import io.skoop.model.Ip;
import io.skoop.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Service objects (core/v1) as the apiserver stores them after defaulting (pkg/apis/core/v1/defaults.go,
 * pkg/registry/core/service): {@code clusterIP} and {@code clusterIPs}, {@code ipFamilies: [IPv4]},
 * {@code ipFamilyPolicy: SingleStack}, {@code internalTrafficPolicy: Cluster}, {@code sessionAffinity: None},
 * {@code externalTrafficPolicy: Cluster} for NodePort Services only, the selector (omitted when empty), ports
 * {@code {name (omitted when unnamed), nodePort (NodePort only), port, protocol, targetPort}} with targetPort an
 * integer or a string exactly as declared, and {@code status.loadBalancer: {}}.
 *
 * <p>Besides the lab's Services, the {@code default/kubernetes} Service kube-apiserver creates
 * (pkg/controlplane/controller/kubernetesservice): labels {@code component: apiserver, provider: kubernetes}, the
 * service CIDR's first host address, port {@code https} 443 to 6443/TCP, no selector.
 */
final class ServiceObjects {

    private ServiceObjects() {
    }

    static List<ObjectNode> render(ResolvedTopology t, Meta meta) {
        List<ObjectNode> out = new ArrayList<>();
        out.add(kubernetes(t, meta));
        for (ResolvedService rs : t.services()) {
            Service s = rs.service();
            ObjectNode o = meta.object("v1", "Service", s.namespace(), s.name());
            ObjectNode spec = spec(o, s.clusterIPs(), s.type(), s.ipFamilies().stream().map(Enum::name).toList(), s.ipFamilyPolicy().name());
            ArrayNode ports = spec.putArray("ports");
            for (ServicePort p : s.ports()) {
                ObjectNode port = port(ports, p.name(), p.port(), p.protocol());
                if (p.targetPort().isNamed()) {
                    port.put("targetPort", p.targetPort().name());
                } else {
                    port.put("targetPort", p.targetPort().number());
                }
                if (s.type() == ServiceType.NodePort) {
                    port.put("nodePort", p.nodePort());
                }
            }
            if (!s.selector().isEmpty()) {
                spec.set("selector", KubeJson.strings(s.selector()));
            }
            out.add(o);
        }
        return out;
    }

    private static ObjectNode kubernetes(ResolvedTopology t, Meta meta) {
        ObjectNode o = meta.object("v1", "Service", "default", "kubernetes");
        ObjectNode labels = o.withObjectProperty("metadata").putObject("labels");
        labels.put("component", "apiserver");
        labels.put("provider", "kubernetes");
        ObjectNode spec = spec(o, List.of(LabCluster.kubernetesServiceIP(t)), ServiceType.ClusterIP, List.of("IPv4"), "SingleStack");
        port(spec.putArray("ports"), "https", 443, Protocol.TCP).put("targetPort", LabCluster.APISERVER_PORT);
        return o;
    }

    /**
     * The defaulted spec and empty status of a Service: {@code clusterIP} the first of {@code clusterIPs} (the primary
     * family's), {@code ipFamilies} and {@code ipFamilyPolicy} as the API server set them.
     */
    private static ObjectNode spec(ObjectNode service, List<Ip> clusterIPs, ServiceType type, List<String> ipFamilies, String ipFamilyPolicy) {
        ObjectNode spec = service.putObject("spec");
        spec.put("clusterIP", clusterIPs.get(0).toString());
        spec.set("clusterIPs", KubeJson.strings(clusterIPs.stream().map(Ip::toString).toList()));
        if (type == ServiceType.NodePort) {
            spec.put("externalTrafficPolicy", "Cluster");
        }
        spec.put("internalTrafficPolicy", "Cluster");
        spec.set("ipFamilies", KubeJson.strings(ipFamilies));
        spec.put("ipFamilyPolicy", ipFamilyPolicy);
        spec.put("sessionAffinity", "None");
        spec.put("type", type.name());
        service.putObject("status").putObject("loadBalancer");
        return spec;
    }

    private static ObjectNode port(ArrayNode ports, String name, int port, Protocol protocol) {
        ObjectNode p = ports.addObject();
        if (name != null) {
            p.put("name", name);
        }
        p.put("port", port);
        p.put("protocol", protocol.name());
        return p;
    }
}
