"""Drives skoop's Jupyter kernel with jupyter_client (Debian's python3-jupyter-client) as a real client would, and
prints what it saw as one JSON object on stdout; KernelProtocolSpec asserts on it.

Usage: JUPYTER_PATH=DIR python3 kernel_protocol.py   (DIR/kernels/skoop is the kernelspec under test)
"""
import json
import queue
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

seen = {}


def run(kc, code, timeout=60):
    """Executes code; returns (reply content, [iopub messages of this request] with their arrival times)."""
    msg_id = kc.execute(code)
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        m["_t"] = time.time()
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"], msgs


def outputs(msgs):
    out = []
    for m in msgs:
        t = m["msg_type"]
        c = m["content"]
        if t == "stream":
            out.append({"type": t, "name": c["name"], "text": c["text"], "t": m["_t"]})
        elif t in ("execute_result", "display_data"):
            out.append({"type": t, "mimes": sorted(c["data"].keys()), "text": c["data"].get("text/plain"),
                        "count": c.get("execution_count")})
        elif t == "error":
            out.append({"type": t, "ename": c["ename"], "evalue": c["evalue"], "traceback": c["traceback"]})
    return out


km = KernelManager(kernel_name="skoop")
started = time.time()
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
seen["ready_seconds"] = time.time() - started

kc.kernel_info()
info = kc.get_shell_msg(timeout=30)
seen["kernel_info"] = {k: info["content"].get(k) for k in ("protocol_version", "implementation", "language_info", "banner", "status")}
seen["connection"] = {"ip": km.ip, "transport": km.transport,
                      "ports": [km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port]}
seen["pid"] = km.provisioner.process.pid if km.provisioner else None

reply, msgs = run(kc, "1 + 1")
seen["sum"] = {"status": reply["status"], "count": reply["execution_count"], "outputs": outputs(msgs)}

reply, msgs = run(kc, "def x = 5\nint y = 2")
seen["define"] = {"status": reply["status"], "outputs": outputs(msgs)}
reply, msgs = run(kc, "x * y")
seen["use"] = {"status": reply["status"], "count": reply["execution_count"], "outputs": outputs(msgs)}

reply, msgs = run(kc, "println 'first'\nSystem.out.flush()\nThread.sleep(1500)\nprintln 'second'\n'done'")
seen["streamed"] = {"status": reply["status"], "outputs": outputs(msgs), "reply_t": time.time()}

reply, msgs = run(kc, "example('flannel-vxlan')\nd = diagnose(pod('default/client'), service('default/web', 80))\ndisplay(nodes())\nd")
seen["diagnosis"] = {"status": reply["status"], "outputs": outputs(msgs)}

reply, msgs = run(kc, "def a = 1\ndiagnose(pod('default/nope'), service('default/web', 80))")
seen["error"] = {"status": reply["status"], "ename": reply.get("ename"), "outputs": outputs(msgs)}


def complete(code, pos=None):
    kc.complete(code, len(code) if pos is None else pos)
    r = kc.get_shell_msg(timeout=30)["content"]
    return {"matches": r["matches"], "start": r["cursor_start"], "end": r["cursor_end"], "status": r["status"]}


seen["complete"] = {
    "verb": complete("diag"),
    "pod": complete("pod('default/c"),
    "magic": complete("%di"),
    "member": complete("d.expl"),
    "endpoint_in_magic": complete("%diagnose default/client svc/default/w"),
}


def inspect(code, pos=None):
    kc.inspect(code, len(code) if pos is None else pos)
    r = kc.get_shell_msg(timeout=30)["content"]
    return {"found": r["found"], "text": r["data"].get("text/plain"), "status": r["status"]}


seen["inspect"] = {"verb": inspect("diagnose"), "variable": inspect("d"), "inside_call": inspect("routeGet(node('node-1'), ", 25),
                   "magic": inspect("%diagnose"), "member": inspect("d.explain"), "nothing": inspect("   ")}


def is_complete(code):
    kc.is_complete(code)
    r = kc.get_shell_msg(timeout=30)["content"]
    return {"status": r["status"], "indent": r.get("indent")}


seen["is_complete"] = {"complete": is_complete("1 + 1"), "incomplete": is_complete("def f() {"),
                       "invalid": is_complete("foo(}"), "magic": is_complete("%nodes")}

# interrupt: a cell that never ends on its own; interrupt_mode message -> interrupt_request on the control channel
msg_id = kc.execute("started = true\nlong n = 0\nwhile (true) { n++ }")
time.sleep(1.5)
t0 = time.time()
km.interrupt_kernel()
reply = kc.get_shell_msg(timeout=30)
while reply["parent_header"].get("msg_id") != msg_id:
    reply = kc.get_shell_msg(timeout=30)
seen["interrupt"] = {"status": reply["content"]["status"], "ename": reply["content"].get("ename"),
                     "evalue": reply["content"].get("evalue"), "seconds": time.time() - t0}
reply, msgs = run(kc, "x + (started ? 100 : 0)")
seen["after_interrupt"] = {"status": reply["status"], "outputs": outputs(msgs)}

# a message signed with another key: refused (no reply), and the kernel still serves signed ones afterwards
forger = Session(key=b"not-the-key", username="mallory")
forger.send(kc.shell_channel.socket, "execute_request",
            {"code": "forged = true", "silent": False, "store_history": True, "user_expressions": {},
             "allow_stdin": False, "stop_on_error": True})
try:
    r = kc.get_shell_msg(timeout=3)
    seen["forged"] = {"replied": True, "content": r["content"]}
except queue.Empty:
    seen["forged"] = {"replied": False}
reply, msgs = run(kc, "binding.hasVariable('forged')")
seen["after_forged"] = {"status": reply["status"], "outputs": outputs(msgs)}

# which addresses the kernel's process listens on
pid = seen["pid"]
ss = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
seen["listening"] = sorted({line.split()[3] for line in ss.splitlines() if f"pid={pid}," in line}) if pid else []

kc.shutdown()  # jupyter_client 7 sends it on the control channel, where the reply comes back
r = kc.get_control_msg(timeout=30)
seen["shutdown"] = {"msg_type": r["msg_type"], "status": r["content"].get("status")}
for _ in range(100):
    if not km.is_alive():
        break
    time.sleep(0.1)
seen["alive_after_shutdown"] = km.is_alive()
kc.stop_channels()
if km.is_alive():
    km.shutdown_kernel(now=True)
print(json.dumps(seen))
