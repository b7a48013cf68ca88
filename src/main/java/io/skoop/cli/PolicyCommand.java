package io.skoop.cli;

import io.skoop.diagnose.Diagnostor;
import io.skoop.diagnose.Query;
import io.skoop.model.Protocol;
import io.skoop.plugin.networkpolicy.PolicyVerdict;
import io.skoop.render.PolicyText;
import io.skoop.snapshot.Snapshot;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skoop policy}: what the cluster's NetworkPolicies and AdminNetworkPolicies intend, without walking the data
 * path (docs/diagnose.md, "NetworkPolicy"). {@code skoop policy --example E POD} lists the policies that select a pod;
 * {@code skoop policy --example E -s SRC -d DST -p PORT} evaluates a flow (a Service destination: each of its
 * endpoints). Exit: 0 allowed (or a pod listed), 1 denied, 2 usage error or bad input.
 */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"What NetworkPolicies, AdminNetworkPolicies and the BaselineAdminNetworkPolicy intend, without the data path:"
                + " the policies selecting POD, or the verdict for -s SRC -d DST -p PORT naming the deciding policy and rule.",
                "Exit: 0 allowed (or POD listed), 1 denied, 2 usage error or bad input."})
public class PolicyCommand implements Callable<Integer> {

    static class Source {
        @Option(names = "--example", paramLabel = "NAME", required = true, description = "An embedded snapshot (flannel-vxlan, flannel-vxlan-nftables, calico-bgp, dual-stack).")
        String example;

        @Option(names = "--snapshot", paramLabel = "DIR", required = true, description = "A snapshot folder (docs/snapshot.md).")
        java.nio.file.Path snapshot;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Parameters(index = "0", arity = "0..1", paramLabel = "POD", description = "A pod (NAMESPACE/NAME): list the policies selecting it.")
    String pod;

    @Option(names = {"-s", "--source"}, paramLabel = "SRC", description = "The client (as skoop diagnose takes it).")
    String src;

    @Option(names = {"-d", "--destination"}, paramLabel = "DST", description = "The server: a pod, or a Service (each endpoint).")
    String dst;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Destination port (a Service port number or name for svc/...).")
    String port;

    @Option(names = "--protocol", paramLabel = "PROTO", defaultValue = "tcp", description = "tcp, udp or sctp (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "default",
            description = "The namespace of bare names (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--explain", description = "Also print every policy and rule looked at, and why it did or did not match.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ((pod == null) == (src == null && dst == null)) {
            throw new UserException(pod == null ? "give a POD, or a flow: -s SRC -d DST [-p PORT]"
                    : "give a POD or a flow (-s/-d), not both");
        }
        if (pod == null && (src == null || dst == null)) {
            throw new UserException("a flow needs both -s SRC and -d DST");
        }
        Snapshot snap = source.example != null ? Snapshot.example(source.example) : Snapshot.open(source.snapshot);
        Diagnostor d = new Diagnostor(snap);
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println("policies: " + d.policyEnforcement());
        if (pod != null) {
            out.print(PolicyText.applying(pod.contains("/") ? pod : namespace + "/" + pod, d.policiesOf(pod, namespace)));
            out.flush();
            return 0;
        }
        List<PolicyVerdict> verdicts = d.policyIntent(new Query(src, dst, port, Protocol.parse(protocol), namespace));
        if (verdicts.isEmpty()) {
            out.println(snap.objects().networkPolicies().isEmpty() && snap.objects().adminNetworkPolicies().isEmpty()
                    ? "no policy in the snapshot: nothing is isolated, the flow is allowed"
                    : "no pod pair to evaluate (the destination is no pod, or a Service without endpoints)");
            out.flush();
            return 0;
        }
        out.print(PolicyText.verdicts(verdicts, explain));
        out.flush();
        return verdicts.stream().allMatch(PolicyVerdict::allowed) ? 0 : 1;
    }
}
