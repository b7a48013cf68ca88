// Where does this packet go on a node? The route, then every netfilter decision.
// skoop run scripts/runbooks/where-does-it-go.groovy --example flannel-vxlan --param at=node-1 --param packet='tcp 10.244.0.2:40000 > 10.96.0.2:80' --param iif=cni0
def p = params(
        at:     [default: 'node-1', help: 'the node'],
        packet: [default: 'tcp 10.244.0.2:40000 > 10.96.0.2:80', help: "the packet, 'PROTO SRC:SPORT > DST:DPORT'"],
        iif:    [default: 'cni0', help: 'the device it arrives on (empty: sent by the node itself)'])
if (!skoopSession.hasSnapshot()) {
    example('flannel-vxlan')
}
def pk = packet(p.packet)
println routeGet(node(p.at), pk.dst().toString(), from: pk.src().toString(), iif: p.iif ?: null)
println()
def t = trace(node(p.at), pk, path: p.iif ? 'forward' : 'local-out', iif: p.iif ?: null)
println t
t.result().verdict() == null || t.result().verdict().passes()
