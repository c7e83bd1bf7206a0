import os
URL = f"https://ghp_FAKEfakeFAKEfake0123456789abcdefABCD@github.com/my-org/my-repo.git"
