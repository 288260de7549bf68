"""2-D maps of a model's learned embeddings at one AL iteration (as in the seed experiment).

A cell of a mapped model records, at the configured iterations, the embeddings of every
learnable row from the model fitted there, and which rows were labelled, in the pool, or
selected next by the strategy (`albench.learn.loop.embedding_rows`). This module projects one
iteration to 2-D (t-SNE from scikit-learn, or UMAP from umap-learn) and draws it.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from albench.errors import DataError  # noqa: E402
from albench.figures.plots import save_figure, text_width, wrapped  # noqa: E402
from albench.io.parquet import read_table  # noqa: E402
from albench.specs import MapSpec  # noqa: E402

STATUS_STYLE = {
    # status: (marker size, alpha, edge colour, z-order)
    "pool": (8, 0.35, "none", 1),
    "labelled": (22, 0.9, "black", 2),
    "selected": (70, 1.0, "red", 3),
}


def read_iteration(path: str | Path, iteration: int) -> tuple[pd.DataFrame, list[str]]:
    """Return the embeddings rows of `iteration` in the file at `path`, and the class names."""
    table, meta = read_table(path)
    frame = table.to_pandas()
    frame = frame[frame["iteration"] == iteration].reset_index(drop=True)
    if frame.empty:
        recorded = sorted(table.column("iteration").unique().to_pylist())
        raise DataError(
            f"{path}: no embeddings of iteration {iteration} (recorded: {recorded}); the cell "
            "ran with other embedding_maps settings"
        )
    return frame, json.loads(meta["class_names"])


def project(embeddings: np.ndarray, method: str, seed: int) -> np.ndarray:
    """Return `embeddings` projected to 2-D with `method` ("tsne" or "umap"), seeded."""
    if method == "umap":
        import umap

        return umap.UMAP(n_components=2, random_state=seed).fit_transform(embeddings)
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (len(embeddings) - 1) / 3)
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return tsne.fit_transform(embeddings)


def plot_embedding_map(embeddings: str | Path, figure: str | Path, spec: MapSpec) -> pd.DataFrame:
    """Draw the 2-D map of a cell's recorded `embeddings` at `spec.iteration` to `figure`;
    return the projected points.

    Colour is the class; small faint dots are the unlabelled pool, dark-edged dots the labelled
    set, and large red-edged dots the batch this iteration's model selected.
    """
    iteration, output, method, title, seed = (
        spec.iteration,
        figure,
        spec.method,
        spec.title,
        spec.seed,
    )
    frame, class_names = read_iteration(embeddings, iteration)
    columns = [c for c in frame.columns if c.startswith("e") and c[1:].isdigit()]
    points = project(frame[columns].to_numpy(dtype=np.float64), method, seed)
    frame = frame[["index", "label", "status"]].assign(x=points[:, 0], y=points[:, 1])
    palette = sns.color_palette("colorblind", n_colors=len(class_names))
    # Room on the right for the class legend, whatever the length of the class names.
    width = 6.0 + text_width([*class_names, "class"])
    fig, ax = plt.subplots(figsize=(width, 6))
    for status, (size, alpha, edge, order) in STATUS_STYLE.items():
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        ax.scatter(
            part["x"],
            part["y"],
            s=size,
            c=[palette[int(label)] for label in part["label"]],
            alpha=alpha,
            edgecolors=edge,
            linewidths=0.8,
            zorder=order,
            label=f"{status} ({len(part)})",
        )
    class_handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=palette[i], label=name)
        for i, name in enumerate(class_names)
    ]
    # The status legend shows the marker styles in grey: a class colour there would read as a class.
    status_handles = [
        plt.Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=np.sqrt(size),
            color="grey",
            alpha=alpha,
            markeredgecolor=edge,
        )
        for status, (size, alpha, edge, _) in STATUS_STYLE.items()
        if (frame["status"] == status).any()
    ]
    _, labels = ax.get_legend_handles_labels()
    # Both legends on the right, classes at the top and statuses at the bottom.
    classes = ax.legend(
        handles=class_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="class"
    )
    ax.add_artist(classes)
    classes.set_clip_on(False)  # an added artist is clipped to the axes, and left out of layout
    ax.legend(status_handles, labels, loc="lower left", bbox_to_anchor=(1.01, 0.0), title="rows")
    ax.set_title(
        wrapped(f"{title}iteration {iteration} ({method.upper()} of the model's embeddings)", 5.0)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    save_figure(fig, output)
    return frame
