package io.skoop.dsl;

import io.skoop.diagnose.Arrival;
import io.skoop.diagnose.Diagnostor;
import io.skoop.diagnose.Flow;
import io.skoop.diagnose.Outcome;
import io.skoop.diagnose.Target;
import io.skoop.diagnose.Walk;
import io.skoop.model.Action;
import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Link;
import io.skoop.model.NetNode;
import io.skoop.model.Packet;
import io.skoop.model.Protocol;
import io.skoop.model.Suspicion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Send/Receive by hand: the Diagnostor's walk one hop at a time. {@code netnode(pod('default/client'))} is a
 * {@link NetNodeView}; its {@code send(destination)} returns the {@link Step}s leaving it (a transmission to the next
 * hop, or where the packet ended); {@code netnode(step.nextHop).receive(step)} continues. Every NetNode shows its
 * actions, suspicions and explanation as the walk recorded them.
 */
public final class Stepper {
    /** The parameters of {@link NetNodeView#send(Map, EndpointRef)}: its mistakes are reported as a verb's. */
    private static final VerbDescriptor SEND = new VerbDescriptor("send", "a new connection's first packet from a walk's client",
            List.of(Param.required("destination", "Endpoint", "the server, with its port"),
                    Param.optional("protocol", "Protocol", "tcp or udp (default: the destination's, else tcp)"), Verbs.FAMILY),
            "netnode(pod('default/client')).send(service('default/api', 8080), family: 4)");

    private final Diagnostor diagnostor;
    private final Walk walk;
    private final Map<Link, Arrival> arrivals = new HashMap<>();

    Stepper(Diagnostor diagnostor, Hop client) {
        this.diagnostor = diagnostor;
        this.walk = new Walk(Walk.Direction.REQUEST, diagnostor.manager(), client, null);
    }

    /** The NetNode of a hop. */
    NetNodeView netnode(Hop hop) {
        return new NetNodeView(hop);
    }

    /** One outcome of Send/Receive: a transmission over {@code link} to {@code nextHop}, or the end of the branch. */
    public record Step(String kind, Hop nextHop, Link link, Packet packet, double probability, String reason) {
        /** The hop the packet goes to next, or null when it ended. */
        public Hop getNextHop() {
            return nextHop;
        }

        /** The link crossed, or null when it ended. */
        public Link getLink() {
            return link;
        }

        @Override
        public String toString() {
            if (link != null) {
                return String.format(java.util.Locale.ROOT, "-> %s [%s %s -> %s] %s%s", nextHop, link.type().name().toLowerCase(java.util.Locale.ROOT),
                        io.skoop.render.DotRenderer.end(link.sourceAttribute()),
                        io.skoop.render.DotRenderer.end(link.destinationAttribute()), packet, probability < 1 ? String.format(java.util.Locale.ROOT, " (p=%.3f)", probability) : "");
            }
            return kind + (probability < 1 ? String.format(java.util.Locale.ROOT, " (p=%.3f)", probability) : "") + ": " + reason;
        }
    }

    /** A NetNode of the walk, stepped by hand. */
    public final class NetNodeView {
        private final Hop hop;

        NetNodeView(Hop hop) {
            this.hop = hop;
        }

        /** The hop ({@code pod:default/client}). */
        public Hop getHop() {
            return hop;
        }

        /**
         * Sends a new connection's first packet to {@code destination} (source address and port chosen as a client's
         * socket would).
         *
         * @param protocol TCP or UDP; null: the destination's, else TCP
         * @param family   which address of a dual-stack destination (pod, node, Service) to send to; null: its primary
         *                 one (an {@code ip(...)} is taken as written)
         * @throws IllegalArgumentException when the destination does not resolve, or has no address of {@code family}
         */
        public List<Step> send(EndpointRef destination, Protocol protocol, IpFamily family) {
            Protocol p = protocol != null ? protocol : destination.protocol() != null ? destination.protocol() : Protocol.TCP;
            Target dst = diagnostor.destination(destination.spec(), destination.port(), p, family);
            Packet first = Packet.of(dst.ip().isV6() ? Ip.V6_ANY : Ip.V4_ANY, 0, dst.ip(), dst.port(), p);
            return steps(diagnostor.manager().action(hop).send(walk, first, Flow.start()));
        }

        /** {@link #send(EndpointRef, Protocol, IpFamily)} to the destination's primary address. */
        public List<Step> send(EndpointRef destination, Protocol protocol) {
            return send(destination, protocol, null);
        }

        /** {@link #send(EndpointRef, Protocol)} with the destination's protocol (TCP when it has none). */
        public List<Step> send(EndpointRef destination) {
            return send(destination, null);
        }

        /**
         * {@link #send(EndpointRef, Protocol, IpFamily)} with named arguments, as a script writes them:
         * {@code send(service('default/api', 8080), family: 4)}, {@code send(pod('default/web-1', 53), protocol: udp)}.
         * {@code family} takes what {@code diagnose}'s does ({@code 4}, {@code 6}, {@code 'IPv4'}, {@code 'IPv6'}).
         *
         * @throws IllegalArgumentException for a name other than protocol and family, a bad value (naming {@code send}
         *                                  and what it takes), or as {@link #send(EndpointRef, Protocol, IpFamily)}
         */
        public List<Step> send(Map<String, ?> named, EndpointRef destination) {
            Args args = new Args(SEND, new Object[] {named, destination});
            return send(args.require("destination", EndpointRef.class), args.as("protocol", Protocol.class), Verbs.family(args));
        }

        /**
         * Receives what a previous step transmitted to this hop.
         *
         * @throws IllegalArgumentException when the step does not lead here or did not come from this stepper
         */
        public List<Step> receive(Step step) {
            return receive(step.link());
        }

        /** Receives the packet that crossed {@code link} (a link of a previous step). */
        public List<Step> receive(Link link) {
            Arrival a = link == null ? null : arrivals.get(link);
            if (a == null) {
                throw new IllegalArgumentException("receive takes a transmission returned by send or receive of this session");
            }
            if (!a.hop().equals(hop)) {
                throw new IllegalArgumentException("that transmission goes to " + a.hop() + ", not to " + hop);
            }
            return steps(diagnostor.manager().action(hop).receive(walk, a.crossed()));
        }

        /** The actions recorded here so far. */
        public List<Action> getActions() {
            return node().actions();
        }

        /** The suspicions recorded here so far. */
        public List<Suspicion> getSuspicions() {
            return node().suspicions();
        }

        /** Every decision taken here so far (routes, rules, lookups), one line each. */
        public List<String> getExplanation() {
            return node().explanation();
        }

        private NetNode node() {
            return walk.node(hop);
        }

        @Override
        public String toString() {
            NetNode n = node();
            return hop + (n.actions().isEmpty() ? "" : " " + n.actions().stream().map(x -> x.type().name().toLowerCase(java.util.Locale.ROOT)).distinct().toList())
                    + (n.suspicions().isEmpty() ? "" : " " + n.suspicions());
        }
    }

    private List<Step> steps(List<Outcome> outcomes) {
        List<Step> out = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o instanceof Outcome.Next n) {
                walk.path().addLink(n.link());
                arrivals.put(n.link(), n.arrival());
                out.add(new Step("NEXT", n.arrival().hop(), n.link(), n.link().packet(), n.flow().probability(), null));
            } else {
                Outcome.End e = (Outcome.End) o;
                out.add(new Step(e.kind().name(), null, null, e.packet(), e.flow().probability(), e.reason()));
            }
        }
        return out;
    }
}
