using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Oaims.Analyzers;

/// <summary>
/// OAIMS001: a number turned into a TorchSharp <c>Scalar</c> for one call. TorchSharp 0.107's Scalar holds a raw native
/// pointer and frees it in its finalizer, and its methods do not keep the Scalar alive across the native call: the GC may
/// finalize the temporary while LibTorch still reads it. Long runs died of it: "Unknown scalar type", and "Expected false
/// to be true" in Scalar::toDouble (a segfault in TENT's tuning fits it too, unproven). A Scalar that code owns under
/// a name (a field, or a <c>using</c> local, disposed after its last use) stays reachable, so only those are allowed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalarTemporaryAnalyzer : DiagnosticAnalyzer
{
    public const string Id = "OAIMS001";

    static readonly DiagnosticDescriptor Rule = new(
        Id,
        "A TorchSharp Scalar made for one call",
        "'{0}' becomes a TorchSharp Scalar for this call only, which the GC may free while LibTorch reads it: hold it as a static readonly or disposed field, or a using local",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(CheckConversion, OperationKind.Conversion);
        context.RegisterOperationAction(CheckInvocation, OperationKind.Invocation);
        context.RegisterOperationAction(CheckOperator, OperationKind.Binary, OperationKind.CompoundAssignment);
    }

    // `tensor * 0.5`: TorchSharp's operators for numbers (Tensor x int/long/float/double...) make the Scalar inside
    // TorchSharp, out of this code's reach, so the number must come in as a held Scalar instead.
    static void CheckOperator(OperationAnalysisContext context)
    {
        var method = context.Operation switch
        {
            IBinaryOperation binary => binary.OperatorMethod,
            ICompoundAssignmentOperation compound => compound.OperatorMethod,
            _ => null,
        };
        if (method is null || !IsTensor(method.ContainingType)) return;
        if (method.Parameters.FirstOrDefault(p => IsNumber(p.Type)) is { } number)
        {
            var operand = context.Operation is IBinaryOperation b
                ? (SymbolEqualityComparer.Default.Equals(method.Parameters[0], number) ? b.LeftOperand : b.RightOperand)
                : ((ICompoundAssignmentOperation)context.Operation).Value;
            context.ReportDiagnostic(Diagnostic.Create(Rule, operand.Syntax.GetLocation(), operand.Syntax.ToString()));
        }
    }

    static bool IsTensor(ITypeSymbol? type) =>
        type is { Name: "Tensor", ContainingType: { Name: "torch", ContainingNamespace: { Name: "TorchSharp" } } };

    static bool IsNumber(ITypeSymbol type) => type.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16
        or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean;

    static void CheckConversion(OperationAnalysisContext context)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.OperatorMethod is not { MethodKind: MethodKind.Conversion } || !IsScalar(conversion.Type)) return;
        if (!IsOwned(conversion)) context.ReportDiagnostic(Diagnostic.Create(Rule, conversion.Syntax.GetLocation(), conversion.Operand.Syntax.ToString()));
    }

    // `value.ToScalar()` passed straight on is the same temporary, made explicit.
    static void CheckInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "ToScalar" || !IsScalar(invocation.Type)) return;
        if (!IsOwned(invocation)) context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), invocation.Syntax.ToString()));
    }

    static bool IsScalar(ITypeSymbol? type) =>
        type is { Name: "Scalar", ContainingNamespace: { Name: "TorchSharp", ContainingNamespace.IsGlobalNamespace: true } };

    /// <summary>The new Scalar is stored under a name that keeps it reachable: a field, or a local of a using declaration.</summary>
    static bool IsOwned(IOperation scalar)
    {
        switch (scalar.Parent)
        {
            case IFieldInitializerOperation:
                return true;
            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation }:
                return true;
            case IVariableInitializerOperation initializer:
                // initializer <- declarator <- declaration <- group <- (using declaration | using statement)
                var group = initializer.Parent?.Parent?.Parent;
                return group is IVariableDeclarationGroupOperation && group.Parent is IUsingDeclarationOperation or IUsingOperation;
            default:
                return false;
        }
    }
}
