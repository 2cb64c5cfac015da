"""A data logger's record store, as a simulated Modbus device serves it (drivers/simulators/modbus_server.py).

The logger holds a backlog of records, oldest first, laid out as the profile's ``modbus.history`` says
(contract/config/profile.py): the status block, the window of the oldest pending records, and the
acknowledgement register that drops every record up to the sequence number written. Records are made
when they are read, from a function of their sequence number, so a backlog of a million records costs
the simulator no memory; the registers are encoded by the same layout and encoder the gateway decodes
with (drivers/modbus/history.py, drivers/modbus/decode.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from contract.config.profile import FunctionCode, ModbusMap
from drivers.modbus.decode import encode_value, orders
from drivers.modbus.history import RecordLayout

# a record's time and its channels' values, in the order of the profile's history channels, by sequence number
RecordSource = Callable[[int], tuple[float, Sequence[float | str]]]


def steady_records(channels: int, last_ts: float, every_s: float, last_seq: int) -> RecordSource:
    """Records ``every_s`` apart, record ``last_seq`` at ``last_ts``; each of the ``channels`` values of a
    record is ``seq % 1000 / 10`` plus the channel's index, so that a test can tell records and channels apart."""

    def record(seq: int) -> tuple[float, Sequence[float | str]]:
        base = seq % 1000 / 10
        return last_ts - (last_seq - seq) * every_s, [base + i for i in range(channels)]

    return record


class RecordStore:
    """Records ``oldest`` .. ``oldest + pending - 1`` of a logger, served in ``mmap.history``'s registers.

    ``wrong_seq`` writes another sequence number into some records (record -> the number written), and a
    record source may give a timestamp that is not a time: the bad input a gateway must refuse. ``acks``
    lists every acknowledgement written, in order.
    """

    def __init__(
        self,
        mmap: ModbusMap,
        backlog: int,
        record: RecordSource,
        first_seq: int = 1,
        wrong_seq: Mapping[int, int] | None = None,
    ) -> None:
        if mmap.history is None:
            raise ValueError("the profile's modbus map has no history: block (no record store to serve)")
        self.mmap = mmap
        self.history = mmap.history
        self.layout = RecordLayout(mmap)
        self.oldest = first_seq
        self.next_seq = first_seq + backlog
        self.acks: list[int] = []
        self.reads = 0  # window reads answered
        self._record = record
        self._wrong = dict(wrong_seq or {})
        self._fields = self.layout.decoder.values  # sequence number, timestamp, channels, each at its offset

    @property
    def pending(self) -> int:
        """Records not acknowledged yet."""
        return self.next_seq - self.oldest

    def addresses(self) -> dict[FunctionCode, list[int]]:
        """The registers served, per function: the status block and window, and the acknowledgement."""
        h = self.history
        out: dict[FunctionCode, list[int]] = {f: [] for f in FunctionCode}
        out[h.function].extend(range(h.status_address, h.status_address + 4))
        out[h.function].extend(
            range(h.window_address, h.window_address + h.window_records * self.layout.words)
        )
        out[FunctionCode.HOLDING].extend((h.ack_address, h.ack_address + 1))
        return {f: sorted(set(a)) for f, a in out.items()}

    def owns(self, function: FunctionCode, address: int) -> bool:
        """Whether ``address`` of ``function`` is one of the store's registers."""
        h = self.history
        if function is FunctionCode.HOLDING and h.ack_address <= address <= h.ack_address + 1:
            return True
        if function is not h.function:
            return False
        window_end = h.window_address + h.window_records * self.layout.words
        return h.status_address <= address < h.status_address + 4 or h.window_address <= address < window_end

    def cells(self, function: FunctionCode, address: int, count: int) -> dict[int, int]:
        """The words of ``count`` registers from ``address``: the status block and the records pending
        (a window slot past the last pending record reads as zeros)."""
        h, size = self.history, self.layout.words
        out: dict[int, int] = {}
        if function is h.function:
            status = self.layout.uint32_words(self.oldest) + self.layout.uint32_words(self.pending)
            out.update(zip(range(h.status_address, h.status_address + 4), status, strict=True))
            first = max(0, (address - h.window_address) // size)
            last = min(
                h.window_records, self.pending, (address + count - h.window_address + size - 1) // size
            )
            if first < last:
                self.reads += 1
            for slot in range(first, last):
                at = h.window_address + slot * size
                out.update(zip(range(at, at + size), self.encode(self.oldest + slot), strict=True))
        return {a: w for a, w in out.items() if address <= a < address + count}

    def encode(self, seq: int) -> list[int]:
        """The registers of record ``seq``."""
        ts, values = self._record(seq)
        words: list[int] = []
        seq_rv, ts_rv, *channels = self._fields
        words += encode_value(seq_rv, self._wrong.get(seq, seq), *orders(seq_rv, self.mmap))
        words += encode_value(ts_rv, ts, *orders(ts_rv, self.mmap))
        for rv, value in zip(channels, values, strict=True):
            words += encode_value(rv, value, *orders(rv, self.mmap))
        return words

    def write(self, address: int, words: list[int]) -> bool:
        """An acknowledgement written (FC16 to both registers): drop every record up to its sequence number.
        False for any other write (the caller answers it with an exception)."""
        if address != self.history.ack_address or len(words) != 2:
            return False
        seq = self.layout.uint32(words)
        self.acks.append(seq)
        self.oldest = min(max(self.oldest, seq + 1), self.next_seq)
        return True
