"""Tests for the Tencent IoT Explorer integration."""
