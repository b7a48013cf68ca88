package io.skoop.netstack.route

import groovy.json.JsonSlurper

/**
 * Compares one route-get JSON answer with the kernel's {@code ip -j route get} output (the JSON
 * array or the "RTNETLINK answers: …" line): type, gateway (or via), dev, prefsrc, table and errno.
 * A multipath answer agrees when the kernel's pick is one of its paths.
 */
class KernelAnswer {
    /** Null when both agree, else what differs. */
    static String disagreement(Map o, String k) {
        if (!k.startsWith('[')) {
            def m = k =~ /RTNETLINK answers: (.*)/
            String errno = m.find() ? Errno.ofMessage(m.group(1))?.name() ?: m.group(1) : 'OTHER: ' + k
            return o.error == errno ? null : "kernel error $errno, ours ${o.error ?: 'success'}"
        }
        Map km = (new JsonSlurper().parseText(k) as List)[0] as Map
        if (o.error) {
            return "kernel success, ours ${o.error}"
        }
        Map kv = [type: km.type ?: 'unicast', gateway: km.gateway ?: km.via?.host, dev: km.dev, prefsrc: km.prefsrc, table: km.table]
        Map ov = [type: o.type ?: 'unicast', gateway: o.gateway ?: o.via?.host, dev: o.dev, prefsrc: o.prefsrc, table: o.table]
        if (kv == ov) {
            return null
        }
        if (o.multipath) {
            boolean any = o.multipath.any { p ->
                // IPv4 prints prefsrc only for output routes when it differs from "from"; IPv6 prints it always
                boolean v6 = o.dst.contains(':')
                Map pv = ov + [gateway: p.gateway, dev: p.dev] + (o.iif ? [:] : [prefsrc: !v6 && p.prefsrc == o.from ? null : p.prefsrc])
                pv == kv
            }
            if (any) {
                return null
            }
        }
        return "kernel $kv, ours $ov"
    }
}
