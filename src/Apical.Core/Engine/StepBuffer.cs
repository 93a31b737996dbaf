using Apical.Core.Model;

namespace Apical.Core.Engine;

/// <summary>
/// Messages waiting at one input port, keyed by step. A power-of-two ring indexed by step that grows only when
/// more steps are in flight than it holds, so the steady state allocates nothing.
/// </summary>
internal sealed class StepBuffer
{
    private Message?[] _slots = new Message?[8];

    public int Count { get; private set; }

    public void Put(Message m)
    {
        while (true)
        {
            int i = (int)(m.Step & (_slots.Length - 1));
            var held = _slots[i];
            if (held is null)
            {
                _slots[i] = m;
                Count++;
                return;
            }
            if (held.Step == m.Step)
                throw new InvalidOperationException($"duplicate message for step {m.Step}: {m} while holding {held}");
            Grow();
        }
    }

    public Message? Peek(long step)
    {
        if (step < 0) return null;
        var m = _slots[(int)(step & (_slots.Length - 1))];
        return m is not null && m.Step == step ? m : null;
    }

    public void Remove(long step)
    {
        int i = (int)(step & (_slots.Length - 1));
        if (_slots[i] is { } m && m.Step == step)
        {
            _slots[i] = null;
            Count--;
        }
    }

    /// <summary>Releases every held message (run teardown).</summary>
    public void Clear()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i]?.Release();
            _slots[i] = null;
        }
        Count = 0;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Message?[old.Length * 2];
        foreach (var m in old)
            if (m is not null) _slots[(int)(m.Step & (_slots.Length - 1))] = m;
    }
}
