package io.skoop.k8s.live

import java.nio.file.Files
import java.nio.file.Path
import spock.lang.Specification
import spock.lang.TempDir

/** {@link KubeConfigs}: kubectl's loading rules — which file, merging of $KUBECONFIG, contexts, relative paths. */
class KubeConfigsSpec extends Specification {
    @TempDir Path dir

    Path file(String name, String yaml) {
        Path f = dir.resolve(name)
        Files.createDirectories(f.parent)
        Files.writeString(f, yaml)
        f
    }

    static String config(String current, Map<String, String> clusters, Map<String, List<String>> contexts, List<String> users = ['u']) {
        """apiVersion: v1
kind: Config
${current == null ? '' : "current-context: $current"}
clusters:
${clusters.collect { n, s -> "- name: $n\n  cluster:\n    server: $s" }.join('\n')}
users:
${users.collect { "- name: $it\n  user:\n    token: t-$it" }.join('\n')}
contexts:
${contexts.collect { n, cu -> "- name: $n\n  context:\n    cluster: ${cu[0]}\n    user: ${cu[1]}" }.join('\n')}
"""
    }

    def "--kubeconfig: that file, its current context"() {
        given:
        Path f = file('a.yaml', config('one', [c1: 'https://10.0.0.1:6443'], [one: ['c1', 'u']]))

        when:
        def c = KubeConfigs.resolve(f, null, [:].&get)

        then:
        c.context() == 'one'
        c.server() == 'https://10.0.0.1:6443'
        c.source() == f.toString()
        c.api().basePath == 'https://10.0.0.1:6443'
    }

    def "\$KUBECONFIG: files merged, the first definition of a name and the first current-context win; missing files skipped"() {
        given:
        Path a = file('a.yaml', config(null, [shared: 'https://a:6443'], [ctxa: ['shared', 'u']]))
        Path b = file('b.yaml', config('ctxb', [shared: 'https://b:6443', own: 'https://own:6443'], [ctxb: ['own', 'u'], ctxa: ['own', 'u']]))
        String env = [a, dir.resolve('missing.yaml'), b].join(File.pathSeparator)

        when:
        def current = KubeConfigs.resolve(null, null, [KUBECONFIG: env].&get)
        def other = KubeConfigs.resolve(null, 'ctxa', [KUBECONFIG: env].&get)

        then: 'b sets the current context; a defines ctxa and cluster shared first'
        current.context() == 'ctxb'
        current.server() == 'https://own:6443'
        other.server() == 'https://a:6443'
        current.source().startsWith('$KUBECONFIG (')
    }

    def "~/.kube/config when nothing else is given"() {
        given:
        file('home/.kube/config', config('k', [c: 'https://home:6443'], [k: ['c', 'u']]))

        expect:
        KubeConfigs.resolve(null, null, [HOME: dir.resolve('home').toString()].&get).server() == 'https://home:6443'
    }

    def "a relative certificate path is relative to the file that holds it"() {
        given:
        Path f = file('sub/kc.yaml', """apiVersion: v1
kind: Config
current-context: k
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: ca.crt
users:
- name: u
  user:
    token: t
contexts:
- name: k
  context: {cluster: c, user: u}
""")

        when: 'the CA file does not exist: the error names the absolute path beside the kubeconfig'
        KubeConfigs.resolve(f, null, [:].&get)

        then:
        LiveClusterException e = thrown()
        e.message.contains("cannot use context 'k' of $f")
        e.message.contains(dir.resolve('sub/ca.crt').toString())
    }

    def "mistakes are one line: #why"() {
        given:
        Path f = file('kc.yaml', text)

        when:
        KubeConfigs.resolve(useFile ? f : null, context, env.collectEntries { k, v -> [k, v.replace('DIR', dir.toString())] }.&get)

        then:
        LiveClusterException e = thrown()
        e.message.replace(dir.toString(), 'DIR') == message

        where:
        why                   | useFile | context | env                        | text                                                        || message
        'unknown context'     | true    | 'prdo'  | [:]                        | config('prod', [c: 'https://x'], [prod: ['c', 'u']])        || "context 'prdo' is not in DIR/kc.yaml (contexts: prod); did you mean 'prod'?"
        'no current context'  | true    | null    | [:]                        | config(null, [c: 'https://x'], [a: ['c', 'u'], b: ['c', 'u']]) || 'DIR/kc.yaml sets no current-context; give --context NAME (contexts: a, b)'
        'undefined cluster'   | true    | null    | [:]                        | config('a', [c: 'https://x'], [a: ['nope', 'u']])           || "context 'a' of DIR/kc.yaml names cluster 'nope', which no file defines"
        'undefined user'      | true    | null    | [:]                        | config('a', [c: 'https://x'], [a: ['c', 'ghost']])          || "context 'a' of DIR/kc.yaml names user 'ghost', which no file defines"
        'not a kubeconfig'    | true    | null    | [:]                        | '- just\n- a list\n'                                        || 'DIR/kc.yaml: not a kubeconfig (expected a mapping with clusters, users, contexts)'
        'no kubeconfig at all'| false   | null    | [HOME: 'DIR/nohome']       | ''                                                          || 'no kubeconfig: give --kubeconfig FILE, set $KUBECONFIG, or create ~/.kube/config (kubectl\'s rules; inside a pod the service account is used)'
        '$KUBECONFIG missing' | false   | null    | [KUBECONFIG: 'DIR/x:DIR/y'] | ''                                                         || '$KUBECONFIG names no file that exists: DIR/x:DIR/y'
    }

    def "--kubeconfig that does not exist"() {
        when:
        KubeConfigs.resolve(dir.resolve('nope.yaml'), null, [:].&get)

        then:
        LiveClusterException e = thrown()
        e.message == "--kubeconfig ${dir.resolve('nope.yaml')}: no such file"
    }
}
