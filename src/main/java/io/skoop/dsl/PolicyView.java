package io.skoop.dsl;

import io.skoop.plugin.networkpolicy.PolicyEvaluator;
import io.skoop.plugin.networkpolicy.PolicyVerdict;
import io.skoop.render.PolicyText;
import java.util.List;

/**
 * What the DSL's {@code policy(...)} returns: the policies selecting a pod ({@link #applying}), or the intent for a
 * flow ({@link #verdicts}, one per pod pair). Prints as {@code skoop policy} does.
 *
 * @param enforcement one line: the snapshot's policies and whether the CNI enforces them
 * @param pod         the pod whose policies were listed, or null for a flow
 * @param applying    the policies selecting {@code pod} per direction, or null for a flow
 * @param verdicts    the flow's verdicts (empty for a pod, or when no pod pair was found)
 */
public record PolicyView(String enforcement, String pod, PolicyEvaluator.Applying applying, List<PolicyVerdict> verdicts) {
    public PolicyView {
        verdicts = List.copyOf(verdicts);
    }

    /** True when every pair of the flow is allowed (a pod listing: true). */
    public boolean isAllowed() {
        return verdicts.stream().allMatch(PolicyVerdict::allowed);
    }

    /** Every pair with each policy and rule looked at. */
    public String explain() {
        return "policies: " + enforcement + "\n" + PolicyText.verdicts(verdicts, true);
    }

    @Override
    public String toString() {
        return "policies: " + enforcement + "\n" + (pod != null ? PolicyText.applying(pod, applying) : PolicyText.verdicts(verdicts, false));
    }
}
