// Can one node reach another's port (kubelet, a NodePort, the VXLAN port)?
// skoop run scripts/runbooks/node-to-node.groovy --example flannel-vxlan --param from=node-1 --param to=node-3 --param port=10250
def p = params(
        from:     [default: 'node-1', help: 'the client node'],
        to:       [default: 'node-3', help: 'the server node'],
        port:     [type: 'int', default: 10250, help: 'the port on the server node'],
        protocol: [values: ['tcp', 'udp'], default: 'tcp', help: 'the protocol'])
if (!skoopSession.hasSnapshot()) {
    example('flannel-vxlan')
}
def d = diagnose(node(p.from), node(p.to, p.port), p.protocol == 'udp' ? udp : tcp)
println d.explain()
d
