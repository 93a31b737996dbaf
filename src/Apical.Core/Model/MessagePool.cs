using Apical.Core.Numerics;

namespace Apical.Core.Model;

/// <summary>
/// A thread-safe pool of messages whose payloads have a fixed width and row capacity. After warm-up a
/// run's steady state rents and returns without allocating.
/// </summary>
public sealed class MessagePool
{
    private readonly Stack<Message> _free = new();
    private readonly object _gate = new();

    public MessagePool(int rowCapacity, int cols)
    {
        RowCapacity = rowCapacity;
        Cols = cols;
    }

    public int RowCapacity { get; }
    public int Cols { get; }

    /// <summary>Messages created so far (a steady state stops growing this).</summary>
    public int Created { get; private set; }

    /// <summary>Rents a message whose payload has <paramref name="rows"/> rows; the caller fills it and sends it.</summary>
    public Message Rent(int rows)
    {
        if (rows > RowCapacity)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows exceed the pool's capacity of {RowCapacity}");
        Message? m = null;
        lock (_gate)
        {
            if (_free.Count > 0) m = _free.Pop();
            else Created++;
        }
        m ??= new Message(new Tensor(RowCapacity, Cols), this);
        m.Payload.SetRows(rows);
        m.SetReferences(1);
        return m;
    }

    internal void Return(Message m)
    {
        lock (_gate) _free.Push(m);
    }
}
