"""ember's driver for nanoGPT's model.py (unchanged, MIT, karpathy/nanoGPT@3adf61e): a few
AdamW steps of a tiny GPT on random tokens with nanoGPT's own configure_optimizers, then
sampling with temperature and top-k, printing what a training script prints."""
import torch

from model import GPT, GPTConfig

config = GPTConfig(block_size=16, vocab_size=40, n_layer=2, n_head=2, n_embd=32, dropout=0.0,
                   bias=True)
model = GPT(config)
optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=3e-3, betas=(0.9, 0.95),
                                       device_type="cpu")
data = torch.randint(0, config.vocab_size, (2000,))


def get_batch(batch_size=8):
    ix = torch.randint(len(data) - config.block_size, (batch_size,))
    x = torch.stack([data[i:i + config.block_size] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + config.block_size] for i in ix])
    return x, y


for it in range(12):
    x, y = get_batch()
    logits, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    print(f"iter {it}: loss {loss.item():.4f}")

model.eval()
with torch.no_grad():
    out = model.generate(torch.zeros((1, 1), dtype=torch.long), 20, temperature=0.8, top_k=10)
print(out[0].tolist())
model.crop_block_size(8)
print(model.get_num_params(), tuple(model.transformer.wpe.weight.shape))
