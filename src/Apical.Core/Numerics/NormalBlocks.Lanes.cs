// Lane operations of one vector width for the vector paths of NormalBlocks. A vector holds 32-bit lanes, read as
// uint, int or float as each operation says (reinterpretation, no conversion).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Apical.Core.Numerics;

public static partial class NormalBlocks
{
    internal interface ILanes<V> where V : struct
    {
        static abstract int Count { get; }
        static abstract V Indices { get; }
        static abstract V Broadcast(uint x);
        static abstract V Float(float x);
        static abstract V Add(V a, V b);
        static abstract V Sub(V a, V b);
        static abstract V MulLow(V a, V b);
        /// <summary>High 32 bits of the 64-bit unsigned products.</summary>
        static abstract V MulHigh(V a, V b);
        static abstract V And(V a, V b);
        static abstract V Or(V a, V b);
        static abstract V Xor(V a, V b);
        static abstract V ShiftLeft(V a, int n);
        static abstract V ShiftRight(V a, int n); // logical
        static abstract V LessThan(V a, V b);     // unsigned; all ones where true
        static abstract V GreaterThan(V a, V b);  // unsigned
        static abstract V Equal(V a, V b);
        static abstract V Select(V mask, V a, V b);
        static abstract V AddF(V a, V b);
        static abstract V SubF(V a, V b);
        static abstract V Mul(V a, V b);          // float
        static abstract V Div(V a, V b);
        static abstract V Sqrt(V a);
        static abstract V ToFloat(V a);           // int → float
        static abstract unsafe void Store(V a, float* p);
    }

    private readonly struct Lanes512 : ILanes<Vector512<uint>>
    {
        public static int Count => Vector512<uint>.Count;
        public static Vector512<uint> Indices => Vector512<uint>.Indices;
        public static Vector512<uint> Broadcast(uint x) => Vector512.Create(x);
        public static Vector512<uint> Float(float x) => Vector512.Create(x).AsUInt32();
        public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;
        public static Vector512<uint> Sub(Vector512<uint> a, Vector512<uint> b) => a - b;
        public static Vector512<uint> MulLow(Vector512<uint> a, Vector512<uint> b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<uint> MulHigh(Vector512<uint> a, Vector512<uint> b)
        {
            var even = Avx512F.Multiply(a, b); // lanes 0, 2, … as 64-bit products
            var odd = Avx512F.Multiply(Vector512.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), b);
            var oddLanes = Vector512.Create(0xFFFFFFFF00000000UL).AsUInt32();
            return Vector512.ConditionalSelect(oddLanes, odd.AsUInt32(), Vector512.ShiftRightLogical(even, 32).AsUInt32());
        }
        public static Vector512<uint> And(Vector512<uint> a, Vector512<uint> b) => a & b;
        public static Vector512<uint> Or(Vector512<uint> a, Vector512<uint> b) => a | b;
        public static Vector512<uint> Xor(Vector512<uint> a, Vector512<uint> b) => a ^ b;
        public static Vector512<uint> ShiftLeft(Vector512<uint> a, int n) => Vector512.ShiftLeft(a, n);
        public static Vector512<uint> ShiftRight(Vector512<uint> a, int n) => Vector512.ShiftRightLogical(a, n);
        public static Vector512<uint> LessThan(Vector512<uint> a, Vector512<uint> b) => Vector512.LessThan(a, b);
        public static Vector512<uint> GreaterThan(Vector512<uint> a, Vector512<uint> b) => Vector512.GreaterThan(a, b);
        public static Vector512<uint> Equal(Vector512<uint> a, Vector512<uint> b) => Vector512.Equals(a, b);
        public static Vector512<uint> Select(Vector512<uint> mask, Vector512<uint> a, Vector512<uint> b) => Vector512.ConditionalSelect(mask, a, b);
        public static Vector512<uint> AddF(Vector512<uint> a, Vector512<uint> b) => (a.AsSingle() + b.AsSingle()).AsUInt32();
        public static Vector512<uint> SubF(Vector512<uint> a, Vector512<uint> b) => (a.AsSingle() - b.AsSingle()).AsUInt32();
        public static Vector512<uint> Mul(Vector512<uint> a, Vector512<uint> b) => (a.AsSingle() * b.AsSingle()).AsUInt32();
        public static Vector512<uint> Div(Vector512<uint> a, Vector512<uint> b) => (a.AsSingle() / b.AsSingle()).AsUInt32();
        public static Vector512<uint> Sqrt(Vector512<uint> a) => Vector512.Sqrt(a.AsSingle()).AsUInt32();
        public static Vector512<uint> ToFloat(Vector512<uint> a) => Vector512.ConvertToSingle(a.AsInt32()).AsUInt32();
        public static unsafe void Store(Vector512<uint> a, float* p) => Vector512.Store(a.AsSingle(), p);
    }

    private readonly struct Lanes256 : ILanes<Vector256<uint>>
    {
        public static int Count => Vector256<uint>.Count;
        public static Vector256<uint> Indices => Vector256<uint>.Indices;
        public static Vector256<uint> Broadcast(uint x) => Vector256.Create(x);
        public static Vector256<uint> Float(float x) => Vector256.Create(x).AsUInt32();
        public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;
        public static Vector256<uint> Sub(Vector256<uint> a, Vector256<uint> b) => a - b;
        public static Vector256<uint> MulLow(Vector256<uint> a, Vector256<uint> b) => a * b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<uint> MulHigh(Vector256<uint> a, Vector256<uint> b)
        {
            var even = Avx2.Multiply(a, b);
            var odd = Avx2.Multiply(Vector256.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), b);
            var oddLanes = Vector256.Create(0xFFFFFFFF00000000UL).AsUInt32();
            return Vector256.ConditionalSelect(oddLanes, odd.AsUInt32(), Vector256.ShiftRightLogical(even, 32).AsUInt32());
        }
        public static Vector256<uint> And(Vector256<uint> a, Vector256<uint> b) => a & b;
        public static Vector256<uint> Or(Vector256<uint> a, Vector256<uint> b) => a | b;
        public static Vector256<uint> Xor(Vector256<uint> a, Vector256<uint> b) => a ^ b;
        public static Vector256<uint> ShiftLeft(Vector256<uint> a, int n) => Vector256.ShiftLeft(a, n);
        public static Vector256<uint> ShiftRight(Vector256<uint> a, int n) => Vector256.ShiftRightLogical(a, n);
        public static Vector256<uint> LessThan(Vector256<uint> a, Vector256<uint> b) => Vector256.LessThan(a, b);
        public static Vector256<uint> GreaterThan(Vector256<uint> a, Vector256<uint> b) => Vector256.GreaterThan(a, b);
        public static Vector256<uint> Equal(Vector256<uint> a, Vector256<uint> b) => Vector256.Equals(a, b);
        public static Vector256<uint> Select(Vector256<uint> mask, Vector256<uint> a, Vector256<uint> b) => Vector256.ConditionalSelect(mask, a, b);
        public static Vector256<uint> AddF(Vector256<uint> a, Vector256<uint> b) => (a.AsSingle() + b.AsSingle()).AsUInt32();
        public static Vector256<uint> SubF(Vector256<uint> a, Vector256<uint> b) => (a.AsSingle() - b.AsSingle()).AsUInt32();
        public static Vector256<uint> Mul(Vector256<uint> a, Vector256<uint> b) => (a.AsSingle() * b.AsSingle()).AsUInt32();
        public static Vector256<uint> Div(Vector256<uint> a, Vector256<uint> b) => (a.AsSingle() / b.AsSingle()).AsUInt32();
        public static Vector256<uint> Sqrt(Vector256<uint> a) => Vector256.Sqrt(a.AsSingle()).AsUInt32();
        public static Vector256<uint> ToFloat(Vector256<uint> a) => Vector256.ConvertToSingle(a.AsInt32()).AsUInt32();
        public static unsafe void Store(Vector256<uint> a, float* p) => Vector256.Store(a.AsSingle(), p);
    }
}
