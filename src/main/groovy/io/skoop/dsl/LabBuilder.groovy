package io.skoop.dsl

import io.skoop.model.Names

/**
 * What {@code lab { ... }} runs its closure against: one method per key of a topology file (docs/lab.md), each item's
 * keys as named arguments, so the closure builds the same topology model a YAML file gives.
 * <pre>
 * lab {
 *     name 'demo'
 *     cni 'flannel', backend: 'vxlan'
 *     clusterCIDR '10.244.0.0/16'; serviceCIDR '10.96.0.0/16'; underlay '192.168.56.0/24'
 *     node 'node-1'; node 'node-2', listeners: [[port: 10250]]
 *     pod 'default/client', node: 'node-1'
 *     pod 'default/web-1', node: 'node-2', labels: [app: 'web'], ports: [[name: 'http', port: 8080]]
 *     service 'default/web', selector: [app: 'web'], ports: [[port: 80, targetPort: 'http']]
 *     externalHost 'internet', address: '203.0.113.10', listeners: [[port: 80]]
 * }
 * </pre>
 * Every call records its script line ({@link LabDocument.Where}); the document is checked by the topology loader, and
 * its errors name the call that wrote the offending item ({@code demo.groovy:7 (pod 'default/web-1'): ...}). An
 * unknown method or a call of the wrong shape is an error at its line, with the methods and the closest name.
 */
class LabBuilder {
    /** The builder's methods, each with an example (what errors suggest). */
    static final Map<String, String> METHODS = [
            name        : "name 'demo'",
            cni         : "cni 'flannel', backend: 'vxlan'",
            clusterCIDR : "clusterCIDR '10.244.0.0/16'",
            serviceCIDR : "serviceCIDR '10.96.0.0/16'",
            underlay    : "underlay '192.168.56.0/24'",
            node        : "node 'node-1', listeners: [[port: 10250]]",
            pod         : "pod 'default/web-1', node: 'node-2', labels: [app: 'web'], ports: [[name: 'http', port: 8080]]",
            service     : "service 'default/web', selector: [app: 'web'], ports: [[port: 80, targetPort: 'http']]",
            externalHost: "externalHost 'internet', address: '203.0.113.10', listeners: [[port: 80]]",
    ].asImmutable()

    /** Stack frames that are not the user's script: the builder, the DSL's entry points, Groovy and Java. */
    private static final List<String> NOT_THE_SCRIPT = ['java.', 'jdk.', 'sun.', 'groovy.', 'org.codehaus.groovy.', 'org.apache.groovy.',
                                                        'org.spockframework.', LabBuilder.name, LabDocument.name, 'io.skoop.dsl.SkoopScript',
                                                        'io.skoop.dsl.spock.SkoopSpecification']

    /** What the closure built. */
    final LabDocument document = new LabDocument(new LabDocument.Where(location(), 'lab { }'))

    /**
     * Runs {@code spec} against a new builder (delegate first) and returns what it built.
     *
     * @throws IllegalArgumentException at the script line of a call that is not a builder method or has the wrong shape
     */
    static LabDocument build(@DelegatesTo(value = LabBuilder, strategy = Closure.DELEGATE_FIRST) Closure spec) {
        LabBuilder b = new LabBuilder()
        Closure c = (Closure) spec.clone()
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c.delegate = b
        c.call()
        b.document
    }

    /** The lab's name (a DNS-1123 label): the prefix of every namespace the lab makes. */
    void name(String name) {
        document.set('name', name, where("name '$name'"))
    }

    /** The CNI plugin and its keys: {@code cni 'flannel', backend: 'vxlan'} (or {@code 'host-gw'}), {@code cni 'calico', mode: 'bgp', blockSize: 26}. */
    void cni(Map options, String type) {
        document.set('cni', [type: type] + options, where("cni '$type'"))
    }

    /** The CNI plugin with its defaults. */
    void cni(String type) {
        cni([:], type)
    }

    /** kube-controller-manager {@code --cluster-cidr}. */
    void clusterCIDR(String cidr) {
        document.set('clusterCIDR', cidr, where("clusterCIDR '$cidr'"))
    }

    /** kube-apiserver {@code --service-cluster-ip-range}. */
    void serviceCIDR(String cidr) {
        document.set('serviceCIDR', cidr, where("serviceCIDR '$cidr'"))
    }

    /** The nodes' subnet (its first address is the lab's router). */
    void underlay(String cidr) {
        document.set('underlay', cidr, where("underlay '$cidr'"))
    }

    /** A node; options {@code podCIDR:}, {@code address:}, {@code listeners:}. */
    void node(Map options, String name) {
        item('nodes', 'node', [name: name], options)
    }

    /** A node with everything allocated. */
    void node(String name) {
        node([:], name)
    }

    /** A pod, {@code 'namespace/name'} (or {@code 'name'} in default); options {@code node:} (required), {@code labels:}, {@code ip:}, {@code ports:}, {@code listeners:}. */
    void pod(Map options, String name) {
        item('pods', 'pod', namespaced(name, options), options)
    }

    /** A Service, {@code 'namespace/name'}; options {@code type:}, {@code clusterIP:}, {@code selector:}, {@code ports:} (required). */
    void service(Map options, String name) {
        item('services', 'service', namespaced(name, options), options)
    }

    /** A host outside the cluster; options {@code address:} (required), {@code listeners:}. */
    void externalHost(Map options, String name) {
        item('externalHosts', 'externalHost', [name: name], options)
    }

    private void item(String list, String method, Map<String, Object> item, Map options) {
        LabDocument.Where w = where("$method '${item.namespace ? item.namespace + '/' : ''}${item.name}'")
        options.keySet().findAll { item.containsKey(it) }.each {
            throw new IllegalArgumentException("$w: $it is given twice: in the name and as $it:")
        }
        document.add(list, item + options, w)
    }

    private static Map<String, Object> namespaced(String name, Map options) {
        int slash = name.indexOf('/')
        slash < 0 ? [name: name] : [namespace: name.substring(0, slash), name: name.substring(slash + 1)]
    }

    /** A call that is no builder method, or a builder method called with arguments of another shape. */
    def methodMissing(String name, Object args) {
        String at = location()
        if (METHODS.containsKey(name)) {
            throw new IllegalArgumentException("$at: $name(${(args as List).collect { it instanceof CharSequence ? "'$it'" : it }.join(', ')}) does not fit: "
                    + "write ${METHODS[name]}")
        }
        throw new IllegalArgumentException("$at: lab { } has no method '$name' (methods: ${METHODS.keySet().join(', ')}${Names.didYouMean(name, METHODS.keySet())})")
    }

    /** {@code name = 'demo'} inside lab { } is a mistake (it would set a script variable): builder settings are calls. */
    void propertyMissing(String name, Object value) {
        if (METHODS.containsKey(name)) {
            throw new IllegalArgumentException("${location()}: write ${METHODS[name]}: builder settings are calls, not assignments")
        }
        throw new MissingPropertyException(name, LabBuilder)
    }

    private static LabDocument.Where where(String what) {
        new LabDocument.Where(location(), what)
    }

    /** {@code file:line} of the innermost stack frame in the user's script. */
    static String location() {
        StackTraceElement e = new Throwable().stackTrace.find { StackTraceElement s ->
            s.lineNumber > 0 && s.fileName != null && !NOT_THE_SCRIPT.any { s.className.startsWith(it) }
        }
        e == null ? 'the script' : "${e.fileName}:${e.lineNumber}"
    }
}
