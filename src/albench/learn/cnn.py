"""A small convolutional network for deep active learning on images, as a scikit-learn classifier.

Only this module imports PyTorch (the optional extra `pip install -e .[torch]`). The protocol is
the seed experiment's: a fresh initialisation at every fit, AdamW (lr 1e-3), batches of 64, a
fixed number of epochs with random affine augmentation of the training images, and the epoch
whose weights score the best macro-F1 on the validation split kept (early stopping after
`patience` epochs without improvement, when set).

Rows of `X` are images flattened channels-first, as albench's `image_folder` data sets store
them; the workflow sets `image_shape` from the data set. `predict_proba(X, return_embeddings=True)`
also returns the penultimate layer, which BADGE and the embedding maps use.
"""

from __future__ import annotations

import copy
import math
import os
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import f1_score
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn
from torch.nn import functional as F


def resolve_device(device: str) -> torch.device:
    """Return the torch device `device` names; "auto" is CUDA when available, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class ConvNet(nn.Module):
    """Convolution blocks (conv 3x3, batch norm, ReLU, 2x2 max-pool), then one hidden layer.

    With the defaults on 64x64 RGB images it has about 2.2 M parameters, as the seed's network.
    """

    def __init__(
        self,
        image_shape: tuple[int, int, int],
        n_classes: int,
        channels: tuple[int, ...],
        hidden: int,
        dropout: float,
    ):
        super().__init__()
        in_channels, height, width = image_shape
        blocks: list[nn.Module] = []
        for out_channels in channels:
            blocks += [
                nn.Conv2d(in_channels, out_channels, 3, padding=1),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
            in_channels, height, width = out_channels, height // 2, width // 2
        if height < 1 or width < 1:
            raise ValueError(
                f"images of {image_shape[1]}x{image_shape[2]} pixels are too small for "
                f"{len(channels)} pooling blocks; use fewer channels entries or larger images"
            )
        self.features = nn.Sequential(*blocks, nn.Flatten())
        self.embedding = nn.Sequential(
            nn.Linear(in_channels * height * width, hidden), nn.ReLU(), nn.Dropout(dropout)
        )
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (logits, penultimate embeddings) of a batch of images."""
        embedding = self.embedding(self.features(x))
        return self.head(embedding), embedding


def random_affine(
    images: torch.Tensor,
    generator: torch.Generator,
    degrees: float,
    translate: float,
    scale: tuple[float, float],
) -> torch.Tensor:
    """Return `images` each rotated, shifted and scaled at random (zero padding, bilinear).

    Drawn from `generator` on the CPU, so augmentation is reproducible on any device.
    """
    n = images.shape[0]
    uniform = torch.rand((n, 4), generator=generator, dtype=torch.float32)
    angle = (uniform[:, 0] * 2 - 1) * math.radians(degrees)
    factor = scale[0] + uniform[:, 1] * (scale[1] - scale[0])
    shift = (uniform[:, 2:] * 2 - 1) * 2 * translate  # grid coordinates span [-1, 1]
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    ).to(images.device)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """A small CNN trained from scratch at every `fit`, with the seed experiment's protocol.

    Parameters
    ----------
    image_shape : (channels, height, width) of the images in the rows of `X`; albench sets it
        from the data set when left None.
    epochs, batch_size, lr, weight_decay : training with AdamW.
    patience : stop after this many epochs without a better validation macro-F1 (None: train
        all epochs); the best epoch's weights are kept whenever a validation set is given.
    channels, hidden, dropout : the network (one conv block per entry of `channels`).
    augment : random affine augmentation of training images (rotation up to `degrees`, shift
        up to `translate` of the size, scale in `scale`).
    device : "auto" (CUDA when available), "cpu", "cuda", "cuda:1", ...
    threads : CPU threads of torch (albench sets the rule's threads when left None).
    deterministic : use torch's deterministic algorithms, so a seed gives the same network.
    random_state : seed of initialisation, batch order, dropout and augmentation.
    """

    def __init__(
        self,
        image_shape: tuple[int, int, int] | None = None,
        epochs: int = 30,
        batch_size: int = 64,
        lr: float = 1e-3,
        weight_decay: float = 1e-2,
        patience: int | None = None,
        channels: tuple[int, ...] = (32, 64, 128),
        hidden: int = 256,
        dropout: float = 0.25,
        augment: bool = True,
        degrees: float = 15.0,
        translate: float = 0.1,
        scale: tuple[float, float] = (0.9, 1.1),
        device: str = "auto",
        threads: int | None = None,
        deterministic: bool = True,
        random_state: int | None = None,
    ):
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.patience = patience
        self.channels = channels
        self.hidden = hidden
        self.dropout = dropout
        self.augment = augment
        self.degrees = degrees
        self.translate = translate
        self.scale = scale
        self.device = device
        self.threads = threads
        self.deterministic = deterministic
        self.random_state = random_state

    def _shape(self, n_features: int) -> tuple[int, int, int]:
        if self.image_shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"CNNClassifier: rows of {n_features} features are not square grey images; "
                    "set image_shape: [channels, height, width]"
                )
            return (1, side, side)
        shape = tuple(int(v) for v in self.image_shape)
        if len(shape) != 3 or math.prod(shape) != n_features:
            raise ValueError(
                f"CNNClassifier: image_shape {list(shape)} does not match rows of "
                f"{n_features} features"
            )
        return shape  # type: ignore[return-value]

    def _images(self, X: Any) -> torch.Tensor:
        X = check_array(X, dtype=np.float32)
        return torch.from_numpy(X).reshape(len(X), *self._shape(X.shape[1])).to(self.device_)

    def _configure(self) -> None:
        if self.threads is not None and self.device_.type == "cpu":
            torch.set_num_threads(int(self.threads))
        if self.deterministic:
            # cuBLAS needs this for deterministic matrix products; it is read at first use.
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False

    def fit(self, X: Any, y: Any, X_val: Any = None, y_val: Any = None) -> CNNClassifier:
        """Train a freshly initialised network on (X, y); keep the best epoch on (X_val, y_val)."""
        self.device_ = resolve_device(self.device)
        self._configure()
        y = np.asarray(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        images = self._images(X)
        targets = torch.from_numpy(codes.astype(np.int64)).to(self.device_)
        seed = 0 if self.random_state is None else int(self.random_state)
        torch.manual_seed(seed)  # initialisation and dropout
        generator = torch.Generator().manual_seed(seed)  # batch order and augmentation
        self.network_ = ConvNet(
            tuple(images.shape[1:]),
            len(self.classes_),
            tuple(self.channels),
            self.hidden,
            self.dropout,
        ).to(self.device_)
        if len(self.classes_) == 1:
            # One class seen: nothing to learn; predict it (the loop's fallback handles none).
            self.history_ = []
            return self
        optimiser = torch.optim.AdamW(
            self.network_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        validate = X_val is not None and y_val is not None and len(y_val) > 0
        val_images = self._images(X_val) if validate else None  # moved to the device once
        best_score, best_state, since_best = -np.inf, None, 0
        self.history_: list[dict[str, float]] = []
        for epoch in range(self.epochs):
            loss = self._train_epoch(images, targets, optimiser, generator)
            record = {"epoch": epoch, "loss": loss}
            self.history_.append(record)
            self.best_epoch_ = epoch
            if not validate:
                continue
            predicted = self.classes_[self._forward_images(val_images)[0].argmax(axis=1)]
            record["val_f1_macro"] = f1_score(y_val, predicted, average="macro")
            if record["val_f1_macro"] > best_score:
                best_score, best_epoch, since_best = record["val_f1_macro"], epoch, 0
                best_state = copy.deepcopy(self.network_.state_dict())
            else:
                since_best += 1
            if self.patience is not None and since_best >= self.patience:
                break
        if best_state is not None:
            self.network_.load_state_dict(best_state)
            self.best_epoch_ = best_epoch
        return self

    def _train_epoch(self, images, targets, optimiser, generator) -> float:
        self.network_.train()
        order = torch.randperm(len(images), generator=generator).to(self.device_)
        total = 0.0
        for start in range(0, len(images), self.batch_size):
            batch = order[start : start + self.batch_size]
            if len(batch) < 2:
                continue  # batch norm needs two samples
            inputs = images[batch]
            if self.augment:
                inputs = random_affine(
                    inputs, generator, self.degrees, self.translate, tuple(self.scale)
                )
            logits, _ = self.network_(inputs)
            loss = F.cross_entropy(logits, targets[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        return total / len(images)

    def _forward(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self, "network_")
        return self._forward_images(self._images(X))

    @torch.no_grad()
    def _forward_images(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Return (logits, embeddings) of `images` in evaluation mode, in chunks of 512."""
        self.network_.eval()
        logits, embeddings = [], []
        for start in range(0, len(images), 512):
            batch_logits, batch_embeddings = self.network_(images[start : start + 512])
            logits.append(batch_logits)
            embeddings.append(batch_embeddings)
        return (
            torch.cat(logits).double().cpu().numpy(),
            torch.cat(embeddings).double().cpu().numpy(),
        )

    def predict_proba(self, X: Any, return_embeddings: bool = False):
        """Return class probabilities of `X` (columns: `classes_`), and with
        `return_embeddings` also the penultimate layer's activations."""
        if len(getattr(self, "classes_", [])) == 1:
            proba = np.ones((len(X), 1))
            return (proba, self.embed(X)) if return_embeddings else proba
        logits, embeddings = self._forward(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        return (proba, embeddings) if return_embeddings else proba

    def predict(self, X: Any) -> np.ndarray:
        """Return the most probable class of each row of `X`."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def embed(self, X: Any) -> np.ndarray:
        """Return the penultimate layer's activations for `X` (the embeddings BADGE uses)."""
        return self._forward(X)[1]
