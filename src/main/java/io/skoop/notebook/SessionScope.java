package io.skoop.notebook;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.codehaus.groovy.ast.AnnotationNode;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.ImportNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.CastExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.EmptyExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.Token;
import org.codehaus.groovy.syntax.Types;

/**
 * What makes a cell's definitions outlive the cell, as a script session's do (a compilation customizer, phase
 * CONVERSION, before variables are resolved):
 * <ul>
 * <li>a top-level declaration ({@code def d = diagnose(...)}, {@code int n = 3}, {@code def (a, b) = [1, 2]}) becomes
 *     an assignment to the binding ({@code d = diagnose(...)}; a typed one keeps its cast), so the next cell sees
 *     {@code d}; {@code @Field} declarations and declarations inside blocks stay as they are;</li>
 * <li>the cell's imports and the names of the methods it defines are recorded for the evaluator to carry over
 *     ({@link Capture}).</li>
 * </ul>
 * Classes need nothing: the evaluator's class loader keeps every class a cell defined.
 */
final class SessionScope extends CompilationCustomizer {
    /** What one compilation recorded. */
    static final class Capture {
        /** The imports written in the cell, as {@link ImportNode}s. */
        final List<ImportNode> imports = new ArrayList<>();
        /** The names of the methods the cell defines (besides the script's run and main). */
        final Set<String> methods = new LinkedHashSet<>();
        /** True when the cell's last statement declares or assigns: the cell shows no value, as IPython does. */
        boolean endsInAssignment;
    }

    private Capture capture;

    SessionScope() {
        super(CompilePhase.CONVERSION);
    }

    /** Where the next compilation records what it finds; null records nothing. */
    void captureInto(Capture c) {
        this.capture = c;
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (!classNode.isScript()) {
            return;
        }
        MethodNode run = classNode.getMethod("run", Parameter.EMPTY_ARRAY);
        if (run != null && run.getCode() instanceof BlockStatement block) {
            List<Statement> statements = block.getStatements();
            for (Statement st : statements) {
                if (st instanceof ExpressionStatement es && es.getExpression() instanceof DeclarationExpression de && !isField(de)) {
                    es.setExpression(assignment(de));
                }
            }
            if (capture != null && !statements.isEmpty()) {
                Statement last = statements.get(statements.size() - 1);
                capture.endsInAssignment = last instanceof ExpressionStatement es && es.getExpression() instanceof BinaryExpression be
                        && be.getOperation().getType() == Types.ASSIGN;
            }
        }
        if (capture != null) {
            ModuleNode m = source.getAST();
            capture.imports.addAll(m.getImports());
            capture.imports.addAll(m.getStarImports());
            capture.imports.addAll(m.getStaticImports().values());
            capture.imports.addAll(m.getStaticStarImports().values());
            for (MethodNode mn : classNode.getMethods()) {
                if (!mn.getName().equals("run") && !mn.getName().equals("main") && !mn.isSynthetic() && !mn.getName().contains("$")) {
                    capture.methods.add(mn.getName());
                }
            }
        }
    }

    private static boolean isField(DeclarationExpression de) {
        for (AnnotationNode a : de.getAnnotations()) {
            String n = a.getClassNode().getName();
            if (n.equals("Field") || n.equals("groovy.transform.Field")) {
                return true;
            }
        }
        return false;
    }

    /** {@code def x = v} as {@code x = v}; {@code T x = v} as {@code x = (T) v}; {@code def x} as {@code x = null}. */
    private static Expression assignment(DeclarationExpression de) {
        Expression right = de.getRightExpression();
        Expression target;
        if (de.isMultipleAssignmentDeclaration()) {
            TupleExpression names = new TupleExpression();
            for (Expression e : de.getTupleExpression().getExpressions()) {
                names.addExpression(new VariableExpression(((VariableExpression) e).getName()));
            }
            target = names;
        } else {
            VariableExpression v = de.getVariableExpression();
            if (right instanceof EmptyExpression) {
                right = ConstantExpression.NULL;
            }
            ClassNode type = v.getOriginType();
            if (type != null && !type.equals(ClassHelper.OBJECT_TYPE) && !ClassHelper.isDynamicTyped(type)) {
                right = CastExpression.asExpression(type, right);
            }
            target = new VariableExpression(v.getName());
        }
        target.setSourcePosition(de.getLeftExpression());
        BinaryExpression b = new BinaryExpression(target, Token.newSymbol(Types.ASSIGN, de.getLineNumber(), de.getColumnNumber()), right);
        b.setSourcePosition(de);
        return b;
    }
}
