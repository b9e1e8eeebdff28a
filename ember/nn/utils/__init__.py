"""nn.utils"""
